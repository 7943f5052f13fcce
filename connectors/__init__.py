"""Adapters for outside systems, each implementing a port of etwin_lti.domain.ports."""
