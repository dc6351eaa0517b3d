"""Server-rendered pages: Jinja2 templates, htmx, the design system's static assets."""
