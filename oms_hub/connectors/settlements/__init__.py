"""Settlement-file parsers: Stripe, Shopify Payments, Amazon settlement V2, PayPal STL."""
