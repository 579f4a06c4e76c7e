"""Campaign administration: create, change, switch on and off, report."""
