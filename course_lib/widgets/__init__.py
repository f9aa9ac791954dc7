"""ipywidgets of the course, one module per chapter (by chapter KEY). The table of contents:

=========  ====================================  ==================================================
chapter    module                                widgets
=========  ====================================  ==================================================
00 start   ``course_lib.widgets.start``          ``slider_check`` (do widgets render?)
01 optim   ``course_lib.widgets.optim``          ``optimizer_trajectories``, ``optimizer_comparison``
02 conv    ``course_lib.widgets.conv``           ``conv_explorer``, ``filter_playground``
03 cnn     ``course_lib.widgets.cnn``            ``filter_viewer``, ``activation_viewer``
04 det.    ``course_lib.widgets.detection``      ``iou_explorer``, ``nms_explorer``, ``detection_viewer``
05 seg.    ``course_lib.widgets.segmentation``   ``scene_viewer``, ``layer_viewer``
06 seq.    ``course_lib.widgets.sequences``      ``gate_explorer``, ``temperature_sampler``
07 emb.    ``course_lib.widgets.embeddings``     ``neighbour_explorer``
shared     ``course_lib.widgets._base``          message HTML, PNG rendering, callback timing
=========  ====================================  ==================================================

Every widget has the same shape: a pure state function in the topic module (e.g.
``conv.explorer_state``, ``visualize.activation_view``) says what to show, or why a
setting is impossible; ``plots/<KEY>.py`` updates the figure's artists; the widget wires
controls to both. Import the chapter's module, e.g.
``from course_lib.widgets import conv as conv_widgets``.
"""
