"""The shopper's side: what the storefront panel reads and does with a publishable key (docs/shopper.md)."""
