"""Reports computed on the server from its projection (issue 15): rates, risks, periodic and topic
documents, the public page. Each kind in a module of its own; rendering (xlsx, HTML, SVG) apart from
the figures."""
