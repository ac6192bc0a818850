"""Rendering the world: every site's pages, feeds and machine interfaces, one module per
kind of site."""
