"""Data-subject requests: intake, identity, the clocks, the workflow, reminders, and the
access/portability package. Erasure and restriction are executed by ``compliance.erasure``;
this workflow only tracks them (see ``services.request_complete``)."""
