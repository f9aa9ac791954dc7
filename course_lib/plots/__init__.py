"""Matplotlib figures of the course, one module per chapter (by chapter KEY):

========  ==============================  ==============================================
chapter   module                          figures
========  ==============================  ==============================================
01 optim  ``course_lib.plots.optim``      activations, descent, loss curves
                                          (``plot_curves``, ``plot_history``,
                                          ``LiveHistoryPlot``), search, trajectories
02 conv   ``course_lib.plots.conv``       images, value grids, counts, explorer, playground
03 cnn    ``course_lib.plots.cnn``        filters, activation maps, top patches, viewers
shared    ``course_lib.plots._figure``    ``figure_png`` (the one PNG renderer), axis helpers
========  ==============================  ==============================================

Every figure labels its axes. Static figures return the ``Figure``; a widget's figure is
built once (``*_figure``) and its ``draw_*`` function updates the artists in place.
Import the chapter's module, e.g. ``from course_lib.plots import conv as conv_plots``
(so the name ``conv`` stays the topic module ``course_lib.conv``).
"""
