"""Matplotlib figures of the course, one module per chapter (by chapter KEY):

=========  ==================================  ==================================================
chapter    module                              figures
=========  ==================================  ==================================================
01 optim   ``course_lib.plots.optim``          activations, descent, loss curves (``plot_curves``,
                                               ``plot_history``, ``LiveHistoryPlot``), search,
                                               trajectories
02 conv    ``course_lib.plots.conv``           images, value grids, counts, explorer, playground
03 cnn     ``course_lib.plots.cnn``            filters, activation maps, top patches, viewers
03 cnn     ``course_lib.plots.diagrams``       Inception module and residual block diagrams
04 det.    ``course_lib.plots.detection``      scenes, PR curves, anchors, YOLO grid, explorers
05 seg.    ``course_lib.plots.segmentation``   the four tasks, U-Net diagram, boundaries, viewers
06 seq.    ``course_lib.plots.sequences``      input-output structures, gradient norms, memory
                                               sweep, bits per character, gates, temperature
07 emb.    ``course_lib.plots.embeddings``     sampling, update cost, training, GloVe weight,
                                               2-D projection, neighbour explorer
shared     ``course_lib.plots._figure``        ``figure_png`` (the one PNG renderer), axis helpers,
                                               ``snapshot_row`` (a widget's view at several
                                               settings, for the static book)
=========  ==================================  ==================================================

Every figure labels its axes. Static figures return the ``Figure``; a widget's figure is
built once (``*_figure``) and its ``draw_*`` function updates the artists in place.
Import the chapter's module, e.g. ``from course_lib.plots import conv as conv_plots``
(so the name ``conv`` stays the topic module ``course_lib.conv``).
"""
