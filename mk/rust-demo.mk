# The Rust demo: sign deliveries with TestSigner, verify them, show a rejection and a duplicate.
DEMO_TARGETS += demo-rust
.PHONY: demo-rust
demo-rust:
	$(CARGO) run --quiet -p palisade-webhooks --example demo
