"""Qt only here: app, main window, models, views, workers."""
