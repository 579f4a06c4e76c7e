"""The audit log: who changed what through an administrative route, when, with the state before and after."""
