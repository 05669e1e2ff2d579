"""The HTTP side: the public and organiser blueprints, forms, templates, headers."""
