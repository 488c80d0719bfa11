"""Pages and their parts. Import as ``from ui import pages`` (never ``import ui.pages``: it would shadow NiceGUI's
``ui``)."""
