# Exactly-once under faults (scripts/chaos.py): 10,000 deliveries, 30 % duplicates, to two CLI
# receivers (Rust) and one Flask receiver (Python SDK) sharing a Redis with AOF persistence,
# while Redis and one receiver are killed with SIGKILL and restarted. Prints the figures; fails
# when an event is lost or processed twice outside the documented windows. About 20 s.
TEST_TARGETS += test-chaos

.PHONY: test-chaos

test-chaos: cli-release python-package redis-server
	$(PY_BIN)/python scripts/chaos.py --cli $(ROOT)/target/release/palisade-webhooks
