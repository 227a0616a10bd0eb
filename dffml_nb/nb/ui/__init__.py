"""Small UI parts shared by the widgets: a progress bar, HTML snippets, a status line."""
