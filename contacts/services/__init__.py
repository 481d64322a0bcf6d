"""Every write to the book goes through a function here: validation, the rule, the audit
event, one transaction."""
