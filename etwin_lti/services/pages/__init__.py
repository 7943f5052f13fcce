"""View models of the pages people see inside the LMS iframe (issue 3 item 7, issue 5 item 3).

One module per page: ``twinspace``, ``event``, ``unit``, ``review``, ``acknowledgements``;
``common`` holds what they share (the CSRF token, form parsing, access errors). Everything goes
through ``HubPort``; the web layer (``etwin_lti.web.pages``) only extracts, calls and renders.
"""
