"""Wallet passes: the loyalty card in Apple Wallet and Google Wallet, kept current (docs/shopper.md)."""
