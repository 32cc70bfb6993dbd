"""HTML shell: templates, static assets, navigation and the pages that belong to no domain."""
