"""The coupon engine: discounts, validity rules, codes, redemptions."""
