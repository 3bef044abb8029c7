/*
 * Exercises every export of the C ABI, including error paths and NULL inputs. `make test` runs
 * it under valgrind memcheck (zero errors, zero leaks required) and under scripts/with-redis.sh,
 * which exports PALISADE_TEST_REDIS_URL: the Redis store's success path needs that server (the
 * check fails without it); its error path uses a closed port, and the SQLite store a file in a
 * temporary directory.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "palisade_webhooks.h"

static int failures = 0;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                    \
        }                                                                  \
    } while (0)

#define S(lit) (const uint8_t *)(lit), strlen(lit)

static int str_eq(PwStr s, const char *want) {
    return s.ptr != NULL && s.len == strlen(want) && memcmp(s.ptr, want, s.len) == 0;
}

/* Expects `status` to be `code` with a non-empty message, then frees the message. */
static void expect_error(PwStatus status, PwError *err, PwStatus code) {
    CHECK(status == code);
    CHECK(err->code == code);
    CHECK(err->message.ptr != NULL && err->message.len > 0);
    CHECK(err->message.ptr == NULL || err->message.ptr[err->message.len] == '\0');
    pw_error_free(err);
    CHECK(err->code == PW_OK && err->message.ptr == NULL);
}

/* Verifies `body` with a single (name, value) header pair. */
static PwStatus verify(PwWebhook *wh, const PwBuf *body, const char *name, const char *value,
                       PwEvent **ev, PwError *err) {
    char flat[1024];
    size_t lens[2] = {strlen(name), strlen(value)};
    memcpy(flat, name, lens[0]);
    memcpy(flat + lens[0], value, lens[1]);
    return pw_webhook_verify(wh, body->ptr, body->len, (const uint8_t *)flat, lens[0] + lens[1],
                             lens, 1, ev, err);
}

static int buf_has(PwBuf b, const char *needle) {
    return b.ptr != NULL && strstr((const char *)b.ptr, needle) != NULL;
}

static int span_eq(const PwEventData *data, PwSpan span, const char *want) {
    return span.present && span.len == strlen(want) && span.offset + span.len <= data->bytes.len &&
           memcmp(data->bytes.ptr + span.offset, want, span.len) == 0;
}

/* span_eq for data written to the caller's buffer `buf` (bytes.ptr NULL). */
static int span_in(const uint8_t *buf, const PwEventData *data, PwSpan span, const char *want) {
    return span.present && span.len == strlen(want) && span.offset + span.len <= data->bytes.len &&
           memcmp(buf + span.offset, want, span.len) == 0;
}

static int answer_is_empty(const PwAnswer *a) {
    return a->status == 0 && a->code.ptr == NULL && a->body.ptr == NULL && a->headers_json.ptr == NULL &&
           a->log_level.ptr == NULL && a->log_message.ptr == NULL;
}

/* Begins a request with at most one (name, value) header (name NULL: none). */
static PwStatus begin(PwReceiver *rcv, const char *method, bool has_len, uint64_t len, const PwBuf *body,
                      const char *name, const char *value, PwAnswer *answer, PwEvent **ev, PwTicket **ticket,
                      PwError *err) {
    char flat[1024];
    size_t lens[2] = {0, 0};
    size_t count = 0;
    if (name != NULL) {
        lens[0] = strlen(name);
        lens[1] = strlen(value);
        memcpy(flat, name, lens[0]);
        memcpy(flat + lens[0], value, lens[1]);
        count = 1;
    }
    return pw_receiver_begin(rcv, (const uint8_t *)method, strlen(method), has_len, len, body->ptr, body->len,
                             count ? (const uint8_t *)flat : NULL, lens[0] + lens[1], count ? lens : NULL, count,
                             answer, ev, ticket, err);
}

/* Expects an answer of `status` and `code` (and a body holding `body_part`), then frees it. */
static void expect_answer(PwAnswer *a, uint16_t status, const char *code, const char *body_part,
                          const char *level) {
    CHECK(a->status == status);
    CHECK(str_eq(a->code, code));
    CHECK(buf_has(a->body, body_part));
    CHECK(a->body.ptr == NULL || a->body.ptr[a->body.len] == '\0');
    CHECK(buf_has(a->headers_json, "[\"Content-Type\",\"application/json\"]"));
    CHECK(str_eq(a->log_level, level));
    CHECK(a->log_message.len > 0);
    pw_answer_free(a);
    CHECK(answer_is_empty(a));
    pw_answer_free(a); /* twice is fine */
}

/* The receiver: every kind of answer, tickets finished once, freed unfinished (released), the
 * faulty store, the event's serialised data, and the diagnosis. `d` is signed by one of `wh`'s
 * keys, `d2` by the other. */
static void receiver_checks(PwWebhook *wh, const PwDelivery *d, const PwDelivery *d2) {
    PwError err = {0};
    PwStore *memory = NULL, *faulty = NULL;
    PwDedup *dedup = NULL;
    PwReceiver *rcv = NULL, *plain = NULL;
    PwAnswer answer = {0};
    PwEvent *ev = NULL;
    PwTicket *ticket = NULL, *other = NULL;
    const char *sig = (const char *)d->signature.ptr;

    CHECK(pw_memory_store_new(0, 0, &memory, &err) == PW_OK);
    CHECK(pw_dedup_new(memory, 0, 0, &dedup, &err) == PW_OK);
    CHECK(pw_receiver_new(wh, dedup, &rcv, &err) == PW_OK && rcv != NULL);
    pw_dedup_free(dedup); /* the receiver keeps its own reference */
    dedup = NULL;
    CHECK(pw_receiver_max_body_bytes(rcv) == 4096);
    CHECK(pw_receiver_max_body_bytes(NULL) == 0);
    expect_error(pw_receiver_new(NULL, NULL, &plain, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(plain == NULL);
    CHECK(pw_receiver_new(wh, NULL, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);

    /* Processed: the event and a ticket, no answer. */
    CHECK(begin(rcv, "POST", true, d->body.len, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(ticket != NULL && ev != NULL && answer_is_empty(&answer));
    PwEventData data = {0};
    CHECK(pw_event_data(ev, &data, &err) == PW_OK);
    CHECK(span_eq(&data, data.domain, "TRANSACTION"));
    CHECK(span_eq(&data, data.timestamp, "2025-05-08T14:15:37Z"));
    CHECK(span_eq(&data, data.idempotency_key, "TRANSACTION/tx-1/2025-05-08T14:15:36Z"));
    CHECK(span_eq(&data, data.resource_id, "tx-1") && span_eq(&data, data.status, "CONFIRMED"));
    CHECK(data.payload.len == d->payload.len && span_eq(&data, data.payload, (const char *)d->payload.ptr));
    CHECK(data.key_fingerprint.present && data.key_fingerprint.len == 16);
    CHECK(data.resource.present && data.raw.present);
    /* The resource in the compact form (src/compact.rs): a struct node, with qty as a string. */
    CHECK(data.resource.len > 0 && data.bytes.ptr[data.resource.offset] == 8);
    CHECK(memmem(data.bytes.ptr + data.resource.offset, data.resource.len,
                 "\3\0\0\0qty\6\4\0\0\0" "1.50", 16) != NULL);
    CHECK(data.bytes.ptr[data.bytes.len] == '\0');
    pw_event_data_free(&data);
    CHECK(data.bytes.ptr == NULL && !data.domain.present);
    pw_event_data_free(&data);
    pw_event_data_free(NULL);
    expect_error(pw_event_data(NULL, &data, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_event_data(ev, NULL, NULL) == PW_ERR_INVALID_ARGUMENT);
    /* Into the caller's buffer when it fits, else owned. */
    uint8_t into[8192];
    CHECK(pw_event_data_into(ev, into, sizeof into, &data, &err) == PW_OK);
    CHECK(data.bytes.ptr == NULL && span_in(into, &data, data.status, "CONFIRMED"));
    pw_event_data_free(&data);
    CHECK(pw_event_data_into(ev, into, 16, &data, &err) == PW_OK);
    CHECK(data.bytes.ptr != NULL && span_eq(&data, data.status, "CONFIRMED"));
    pw_event_data_free(&data);
    expect_error(pw_event_data_into(NULL, into, sizeof into, &data, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_event_data_into(ev, into, sizeof into, NULL, NULL) == PW_ERR_INVALID_ARGUMENT);
    pw_event_free(ev);
    ev = NULL;

    /* The same event again while the ticket is open: 409 in progress. */
    CHECK(begin(rcv, "POST", false, 0, &d->body, "signature", sig, &answer, &ev, &other, &err) == PW_OK);
    CHECK(other == NULL && ev == NULL);
    expect_answer(&answer, 409, "in_progress", "{\"status\":\"in_progress\"}", "info");

    /* Finished once: processed; a second finish is ERR_TICKET_SETTLED and changes nothing. */
    CHECK(pw_ticket_finish_ok(ticket, &answer, &err) == PW_OK);
    expect_answer(&answer, 200, "processed", "{\"status\":\"processed\"}", "info");
    expect_error(pw_ticket_finish_failed(ticket, S("late"), &answer, &err), &err, PW_ERR_TICKET_SETTLED);
    CHECK(answer_is_empty(&answer));
    expect_error(pw_ticket_finish_ok(ticket, &answer, &err), &err, PW_ERR_TICKET_SETTLED);
    CHECK(pw_ticket_finish_ok(ticket, &answer, NULL) == PW_ERR_TICKET_SETTLED);
    pw_ticket_free(ticket);
    ticket = NULL;
    CHECK(begin(rcv, "POST", true, d->body.len, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(ticket == NULL);
    expect_answer(&answer, 200, "duplicate", "{\"status\":\"duplicate\"}", "info");

    /* Refusals, in the core's order: method, size, signature. */
    CHECK(begin(rcv, "PUT", true, d->body.len, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(buf_has(answer.headers_json, "[\"Allow\",\"POST\"]"));
    expect_answer(&answer, 405, "ERR_METHOD_NOT_ALLOWED", "\"error\":\"ERR_METHOD_NOT_ALLOWED\"", "warning");
    CHECK(begin(rcv, "POST", true, 5000, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
    expect_answer(&answer, 413, "ERR_BODY_TOO_LARGE", "(Content-Length)", "warning");
    CHECK(begin(rcv, "POST", true, d->body.len, &d->body, NULL, NULL, &answer, &ev, &ticket, &err) == PW_OK);
    expect_answer(&answer, 401, "ERR_MISSING_SIGNATURE", "\"error\":\"ERR_MISSING_SIGNATURE\"", "warning");
    PwBuf no_body = {0};
    CHECK(begin(rcv, "", false, 0, &no_body, NULL, NULL, &answer, &ev, &ticket, &err) == PW_OK);
    expect_answer(&answer, 405, "ERR_METHOD_NOT_ALLOWED", "POST", "warning");

    /* A ticket freed unfinished releases its claim: the retry gets a ticket, not a 409. */
    const char *sig2 = (const char *)d2->signature.ptr;
    CHECK(begin(rcv, "POST", true, d2->body.len, &d2->body, "Signature", sig2, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(ticket != NULL);
    pw_event_free(ev);
    ev = NULL;
    pw_ticket_free(ticket);
    ticket = NULL;
    CHECK(begin(rcv, "POST", true, d2->body.len, &d2->body, "Signature", sig2, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(ticket != NULL);
    pw_event_free(ev);
    ev = NULL;
    /* The receiver can go first: a ticket outlives it. */
    pw_receiver_free(rcv);
    rcv = NULL;
    CHECK(pw_ticket_finish_failed(ticket, S("downstream timeout"), &answer, &err) == PW_OK);
    CHECK(buf_has(answer.log_message, "downstream timeout") && !buf_has(answer.body, "downstream"));
    expect_answer(&answer, 500, "ERR_HANDLER_FAILED", "\"error\":\"ERR_HANDLER_FAILED\"", "error");
    pw_ticket_free(ticket);
    ticket = NULL;

    /* Bad arguments: every output stays empty. */
    expect_error(begin(NULL, "POST", false, 0, &d->body, NULL, NULL, &answer, &ev, &ticket, &err), &err,
                 PW_ERR_INVALID_ARGUMENT);
    CHECK(answer_is_empty(&answer) && ev == NULL && ticket == NULL);
    CHECK(pw_receiver_new(wh, NULL, &plain, &err) == PW_OK);
    expect_error(pw_receiver_begin(plain, NULL, 4, false, 0, NULL, 0, NULL, 0, NULL, 0, &answer, &ev, &ticket, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_receiver_begin(plain, S("POST"), false, 0, NULL, 9, NULL, 0, NULL, 0, &answer, &ev, &ticket, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    size_t huge_lens[2] = {SIZE_MAX, 1};
    expect_error(pw_receiver_begin(plain, S("POST"), false, 0, NULL, 0, (const uint8_t *)"x", 1, huge_lens, 1, &answer,
                                   &ev, &ticket, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_receiver_begin(plain, S("POST"), false, 0, NULL, 0, NULL, 0, NULL, 0, NULL, &ev, &ticket, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_receiver_begin(plain, S("POST"), false, 0, NULL, 0, NULL, 0, NULL, 0, &answer, NULL, &ticket, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_receiver_begin(plain, S("POST"), false, 0, NULL, 0, NULL, 0, NULL, 0, &answer, &ev, NULL, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_ticket_finish_ok(NULL, &answer, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_ticket_finish_failed(NULL, NULL, 0, &answer, &err), &err, PW_ERR_INVALID_ARGUMENT);

    /* Without a deduplicator every verified delivery is processed. */
    for (int i = 0; i < 2; i++) {
        CHECK(begin(plain, "POST", true, d->body.len, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
        CHECK(ticket != NULL);
        expect_error(pw_ticket_finish_ok(ticket, NULL, &err), &err, PW_ERR_INVALID_ARGUMENT);
        CHECK(pw_ticket_finish_ok(ticket, &answer, &err) == PW_OK); /* the refused call settled nothing */
        expect_answer(&answer, 200, "processed", "processed", "info");
        pw_ticket_free(ticket);
        ticket = NULL;
        pw_event_free(ev);
        ev = NULL;
    }
    pw_receiver_free(plain);
    plain = NULL;

    /* The faulty store: a completion that fails after the handler succeeded still answers
     * processed (at warning level), and the claim stays held until its lease ends. */
    CHECK(pw_faulty_store_new(memory, S("complete"), &faulty, &err) == PW_OK && faulty != NULL);
    CHECK(pw_dedup_new(faulty, 0, 0, &dedup, &err) == PW_OK);
    CHECK(pw_receiver_new(wh, dedup, &rcv, &err) == PW_OK);
    CHECK(begin(rcv, "POST", true, d2->body.len, &d2->body, "Signature", sig2, &answer, &ev, &ticket, &err) == PW_OK);
    CHECK(ticket != NULL);
    CHECK(pw_ticket_finish_ok(ticket, &answer, &err) == PW_OK);
    CHECK(buf_has(answer.log_message, "ERR_STORE_UNAVAILABLE"));
    expect_answer(&answer, 200, "processed", "processed", "warning");
    pw_ticket_free(ticket);
    ticket = NULL;
    pw_event_free(ev);
    ev = NULL;
    CHECK(begin(rcv, "POST", true, d2->body.len, &d2->body, "Signature", sig2, &answer, &ev, &ticket, &err) == PW_OK);
    expect_answer(&answer, 409, "in_progress", "in_progress", "info");
    CHECK(pw_faulty_store_set_fail_at(faulty, S("claim"), &err) == PW_OK);
    CHECK(begin(rcv, "POST", true, d->body.len, &d->body, "Signature", sig, &answer, &ev, &ticket, &err) == PW_OK);
    expect_answer(&answer, 503, "ERR_STORE_UNAVAILABLE", "injected test fault", "warning");
    CHECK(pw_faulty_store_set_fail_at(faulty, S("nothing"), &err) == PW_OK);
    expect_error(pw_faulty_store_set_fail_at(faulty, S("sometimes"), &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_faulty_store_set_fail_at(memory, S("claim"), &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_faulty_store_set_fail_at(NULL, S("claim"), &err), &err, PW_ERR_INVALID_ARGUMENT);
    PwStore *bad = NULL;
    expect_error(pw_faulty_store_new(memory, S("later"), &bad, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_faulty_store_new(NULL, S("claim"), &bad, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(bad == NULL);
    pw_receiver_free(rcv);
    pw_dedup_free(dedup);
    pw_store_free(faulty);
    pw_store_free(memory);

    /* The diagnosis, one report per key. */
    PwBuf report = {0};
    size_t lens[2] = {9, d->signature.len};
    char flat[512];
    memcpy(flat, "Signature", 9);
    memcpy(flat + 9, d->signature.ptr, d->signature.len);
    CHECK(pw_webhook_diagnose(wh, d->body.ptr, d->body.len, (const uint8_t *)flat, 9 + d->signature.len, lens, 1,
                              &report, &err) == PW_OK);
    CHECK(buf_has(report, "\"verifies\":true") && buf_has(report, "\"verifies\":false"));
    CHECK(buf_has(report, "\"key_fingerprint\":") && buf_has(report, "nothing is wrong"));
    pw_buf_free(&report);
    CHECK(pw_webhook_diagnose(wh, d->body.ptr, d->body.len, NULL, 0, NULL, 0, &report, &err) == PW_OK);
    CHECK(buf_has(report, "ERR_MISSING_SIGNATURE"));
    pw_buf_free(&report);
    expect_error(pw_webhook_diagnose(NULL, NULL, 0, NULL, 0, NULL, 0, &report, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_diagnose(wh, NULL, 3, NULL, 0, NULL, 0, &report, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(report.ptr == NULL);
    CHECK(pw_webhook_diagnose(wh, NULL, 0, NULL, 0, NULL, 0, NULL, NULL) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);
}

/* A 127.0.0.1 port nothing listens on: bound, read back and released. */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("closed_port");
        exit(2);
    }
    close(fd);
    return ntohs(addr.sin_port);
}

/* Claims `key` twice on `dedup`: NEW then completed, then DUPLICATE. */
static void claim_complete_duplicate(PwDedup *dedup, const char *key) {
    PwError err = {0};
    int32_t outcome = 0;
    PwClaim *claim = NULL;
    bool kept = false;
    CHECK(pw_dedup_claim(dedup, S(key), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_NEW && claim);
    CHECK(pw_dedup_complete(dedup, claim, &kept, &err) == PW_OK && kept);
    pw_claim_free(claim);
    claim = NULL;
    CHECK(pw_dedup_claim(dedup, S(key), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_DUPLICATE && !claim);
    pw_error_free(&err);
}

/* The durable stores: SQLite in a temporary directory, Redis on a closed port and on the
 * server of the test run. */
static void durable_stores(void) {
    PwError err = {0};
    PwStore *store = NULL;
    PwDedup *dedup = NULL;

    char dir[] = "/tmp/pw-abi-check-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }
    char path[256], missing[256], wal[300], shm[300];
    snprintf(path, sizeof path, "%s/store.sqlite3", dir);
    snprintf(missing, sizeof missing, "%s/missing/store.sqlite3", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);

    PwSqliteOptions sq = {.has_busy_timeout = true, .busy_timeout_ns = 2000000000ULL,
                          .has_sync_every_commit = true, .sync_every_commit = false};
    CHECK(pw_sqlite_store_new(S(path), &sq, &store, &err) == PW_OK && store != NULL);
    CHECK(pw_dedup_new(store, 0, 0, &dedup, &err) == PW_OK);
    pw_store_free(store);
    store = NULL;
    claim_complete_duplicate(dedup, "sqlite-key");
    pw_dedup_free(dedup);
    dedup = NULL;
    /* Reopened with the defaults (NULL options): the record survived. */
    CHECK(pw_sqlite_store_new(S(path), NULL, &store, &err) == PW_OK && store != NULL);
    CHECK(pw_dedup_new(store, 0, 0, &dedup, &err) == PW_OK);
    int32_t outcome = 0;
    PwClaim *claim = NULL;
    CHECK(pw_dedup_claim(dedup, S("sqlite-key"), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_DUPLICATE);
    pw_dedup_free(dedup);
    dedup = NULL;
    pw_store_free(store);
    store = NULL;
    expect_error(pw_sqlite_store_new(S(missing), NULL, &store, &err), &err, PW_ERR_STORE_UNAVAILABLE);
    CHECK(store == NULL);
    expect_error(pw_sqlite_store_new(NULL, 0, NULL, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_sqlite_store_new(NULL, 4, NULL, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_sqlite_store_new((const uint8_t *)"\xff\xfe", 2, NULL, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_sqlite_store_new(S(path), NULL, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);
    unlink(wal);
    unlink(shm);
    CHECK(unlink(path) == 0);
    CHECK(rmdir(dir) == 0);

    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", closed_port());
    PwRedisOptions ro = {.has_prefix = true, .has_timeout = true, .timeout_ns = 500000000ULL,
                         .has_connect_timeout = true, .connect_timeout_ns = 500000000ULL,
                         .has_max_idle = true, .max_idle = 2,
                         .has_connections = true, .connections = 2};
    expect_error(pw_redis_store_new(S(url), S("abi:"), &ro, &store, &err), &err, PW_ERR_STORE_UNAVAILABLE);
    CHECK(store == NULL);
    expect_error(pw_redis_store_new(S("not a url"), NULL, 0, NULL, &store, &err), &err, PW_ERR_STORE_UNAVAILABLE);
    expect_error(pw_redis_store_new(NULL, 3, NULL, 0, NULL, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_redis_store_new(S(url), NULL, 5, &ro, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    /* A connection count out of 1..=64 is the caller's mistake, refused before connecting. */
    PwRedisOptions none = {.has_connections = true, .connections = 0};
    expect_error(pw_redis_store_new(S(url), NULL, 0, &none, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    PwRedisOptions too_many = {.has_connections = true, .connections = INT64_MAX};
    expect_error(pw_redis_store_new(S(url), NULL, 0, &too_many, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(store == NULL);

    const char *live = getenv("PALISADE_TEST_REDIS_URL");
    CHECK(live != NULL && live[0] != '\0'); /* run under scripts/with-redis.sh */
    if (live != NULL && live[0] != '\0') {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "abi-check:%d:", (int)getpid());
        CHECK(pw_redis_store_new(S(live), S(prefix), &ro, &store, &err) == PW_OK && store != NULL);
        CHECK(pw_dedup_new(store, 0, 1000000000ULL, &dedup, &err) == PW_OK);
        pw_store_free(store);
        store = NULL;
        claim_complete_duplicate(dedup, "redis-key");
        pw_dedup_free(dedup);
        CHECK(pw_redis_store_new(S(live), NULL, 0, NULL, &store, &err) == PW_OK && store != NULL);
        pw_store_free(store);
    }
    pw_error_free(&err);
}

int main(void) {
    PwError err = {0};

    /* Static strings. */
    CHECK(strlen(pw_version()) > 0);
    CHECK(strcmp(pw_code_name(PW_ERR_INVALID_SIGNATURE), "ERR_INVALID_SIGNATURE") == 0);
    CHECK(strcmp(pw_code_name(PW_OK), "OK") == 0);
    CHECK(pw_code_name(9999) == NULL);
    CHECK(pw_http_status(PW_ERR_MISSING_SIGNATURE) == 401);
    CHECK(pw_http_status(PW_ERR_INVALID_SIGNATURE) == 401);
    CHECK(pw_http_status(PW_ERR_MALFORMED_PAYLOAD) == 400);
    CHECK(pw_http_status(PW_ERR_BODY_TOO_LARGE) == 413);
    CHECK(pw_http_status(PW_ERR_STORE_UNAVAILABLE) == 503);
    CHECK(pw_http_status(PW_ERR_BODY_NOT_RAW) == 500);
    CHECK(pw_http_status(PW_ERR_INTERNAL) == 500);
    CHECK(pw_http_status(PW_OK) == 0);
    CHECK(pw_http_status(9999) == 0);
    CHECK(strcmp(pw_code_name(PW_ERR_TICKET_SETTLED), "ERR_TICKET_SETTLED") == 0);
    CHECK(pw_http_status(PW_ERR_TICKET_SETTLED) == 500);

    /* Freeing NULL and empty things is a no-op. */
    pw_buf_free(NULL);
    pw_error_free(NULL);
    pw_delivery_free(NULL);
    pw_webhook_free(NULL);
    pw_event_free(NULL);
    pw_signer_free(NULL);
    pw_store_free(NULL);
    pw_dedup_free(NULL);
    pw_claim_free(NULL);
    pw_receiver_free(NULL);
    pw_ticket_free(NULL);
    pw_answer_free(NULL);
    pw_event_data_free(NULL);
    PwBuf empty = {0};
    pw_buf_free(&empty);
    pw_error_free(&err);

    /* A panic inside the library comes back as PW_ERR_INTERNAL. */
    expect_error(pw_test_panic(&err), &err, PW_ERR_INTERNAL);
    CHECK(pw_test_panic(NULL) == PW_ERR_INTERNAL);

    /* Signers. */
    PwSigner *signer = NULL, *other = NULL, *loaded = NULL;
    CHECK(pw_signer_from_seed(1, &signer, &err) == PW_OK && signer != NULL);
    CHECK(pw_signer_generate(&other, NULL) == PW_OK && other != NULL);
    CHECK(pw_signer_generate(NULL, NULL) == PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_signer_from_seed(1, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);
    expect_error(pw_signer_from_private_key(S("nope"), &loaded, &err), &err, PW_ERR_INVALID_PUBLIC_KEY);
    CHECK(loaded == NULL);
    expect_error(pw_signer_from_private_key(NULL, 0, &loaded, &err), &err, PW_ERR_INVALID_PUBLIC_KEY);
    expect_error(pw_signer_from_private_key(NULL, 5, &loaded, &err), &err, PW_ERR_INVALID_ARGUMENT);

    PwBuf pem = {0}, pub = {0}, pub2 = {0};
    CHECK(pw_signer_key(signer, 1, &pem, &err) == PW_OK);
    CHECK(pw_signer_from_private_key(pem.ptr, pem.len, &loaded, &err) == PW_OK);
    CHECK(pw_signer_key(signer, 0, &pub, &err) == PW_OK && pub.len > 0);
    CHECK(pw_signer_key(loaded, 0, &pub2, &err) == PW_OK);
    CHECK(pub.len == pub2.len && memcmp(pub.ptr, pub2.ptr, pub.len) == 0);
    CHECK(strncmp((const char *)pub.ptr, "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE", 36) == 0);
    PwBuf scratch = {0};
    expect_error(pw_signer_key(signer, 7, &scratch, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(scratch.ptr == NULL);
    pw_buf_free(&pub2);
    expect_error(pw_signer_key(NULL, 0, &pub2, &err), &err, PW_ERR_INVALID_ARGUMENT);

    PwBuf sig = {0};
    CHECK(pw_signer_sign(signer, S("e30="), NULL, 0, &sig, &err) == PW_OK && sig.len > 0);
    pw_buf_free(&sig);
    CHECK(pw_signer_sign(signer, NULL, 0, S("sha256-double"), &sig, &err) == PW_OK);
    pw_buf_free(&sig);
    expect_error(pw_signer_sign(signer, S("e30="), S("md5"), &sig, &err), &err, PW_ERR_INVALID_ARGUMENT);

    PwDelivery d = {0}, d2 = {0}, bad = {0};
    const char *tx = "{\"id\":\"tx-1\",\"updatedAt\":\"2025-05-08T14:15:36Z\",\"status\":\"CONFIRMED\",\"qty\":1.50}";
    CHECK(pw_signer_delivery(signer, S("TRANSACTION"), S(tx), PW_TIMESTAMP_FIXED, S("2025-05-08T14:15:37Z"),
                             NULL, 0, &d, &err) == PW_OK);
    CHECK(d.body.len > 0 && d.headers_json.len > 0 && d.payload.len > 0 && d.signature.len > 0);
    CHECK(pw_signer_delivery(other, S("WALLET"), S("{\"id\":\"w\",\"updatedAt\":\"2025-01-01T00:00:00Z\"}"), PW_TIMESTAMP_OMIT, NULL, 0,
                             S("sha256"), &d2, &err) == PW_OK);
    expect_error(pw_signer_delivery(signer, S("WALLET"), S("[1]"), PW_TIMESTAMP_NOW, NULL, 0, NULL, 0, &bad, &err),
                 &err, PW_ERR_MALFORMED_PAYLOAD);
    expect_error(pw_signer_delivery(signer, S("WALLET"), S("{}"), 42, NULL, 0, NULL, 0, &bad, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_signer_delivery(NULL, S("WALLET"), S("{}"), 0, NULL, 0, NULL, 0, &bad, &err),
                 &err, PW_ERR_INVALID_ARGUMENT);
    pw_delivery_free(&bad);

    /* Webhook construction: errors and options. */
    PwWebhook *wh = NULL;
    expect_error(pw_webhook_new(NULL, 0, NULL, 0, NULL, 0, NULL, &wh, &err), &err, PW_ERR_INVALID_PUBLIC_KEY);
    CHECK(wh == NULL);
    size_t bad_len = 9;
    expect_error(pw_webhook_new(S("not a key"), &bad_len, 1, NULL, 0, NULL, &wh, &err), &err, PW_ERR_INVALID_PUBLIC_KEY);
    size_t too_long = 99;
    expect_error(pw_webhook_new(S("short"), &too_long, 1, NULL, 0, NULL, &wh, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_new(S("short"), NULL, 1, NULL, 0, NULL, &wh, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_new(pub.ptr, pub.len, &pub.len, 1, S("sha1"), NULL, &wh, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_webhook_new(pub.ptr, pub.len, &pub.len, 1, NULL, 0, NULL, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);

    /* Two keys (rotation), passed flat. */
    PwBuf other_pub = {0};
    CHECK(pw_signer_key(other, 0, &other_pub, NULL) == PW_OK);
    char *both = malloc(pub.len + other_pub.len);
    memcpy(both, pub.ptr, pub.len);
    memcpy(both + pub.len, other_pub.ptr, other_pub.len);
    size_t both_lens[2] = {pub.len, other_pub.len};
    PwWebhookOptions opts = {.has_max_body_bytes = true, .max_body_bytes = 4096,
                             .has_max_age = true, .max_age_ns = (uint64_t)3153600000ULL * 1000000000ULL};
    CHECK(pw_webhook_new((const uint8_t *)both, pub.len + other_pub.len, both_lens, 2, S("sha256"), &opts, &wh, &err) == PW_OK);
    free(both);
    CHECK(pw_webhook_max_body_bytes(wh) == 4096);
    CHECK(pw_webhook_max_body_bytes(NULL) == 0);

    /* Verify: success, with the fields checked. */
    PwEvent *ev = NULL;
    CHECK(verify(wh, &d.body, "sIgNaTuRe", (const char *)d.signature.ptr, &ev, &err) == PW_OK && ev != NULL);
    PwEventView view;
    CHECK(pw_event_view(ev, &view));
    CHECK(str_eq(view.domain, "TRANSACTION"));
    CHECK(str_eq(view.timestamp, "2025-05-08T14:15:37Z"));
    CHECK(str_eq(view.idempotency_key, "TRANSACTION/tx-1/2025-05-08T14:15:36Z"));
    CHECK(str_eq(view.resource_id, "tx-1"));
    CHECK(str_eq(view.status, "CONFIRMED"));
    CHECK(str_eq(view.raw, tx));
    CHECK(view.payload.len == d.payload.len && memcmp(view.payload.ptr, d.payload.ptr, d.payload.len) == 0);
    CHECK(view.key_fingerprint.len == 16);
    CHECK(!pw_event_view(NULL, &view));
    CHECK(!pw_event_view(ev, NULL));

    PwBuf json = {0}, canon = {0};
    CHECK(pw_event_to_json(ev, &json, &err) == PW_OK && json.len > 0);
    pw_buf_free(&json);
    expect_error(pw_event_to_json(NULL, &json, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(json.ptr == NULL);
    CHECK(pw_event_to_json(ev, &json, NULL) == PW_OK);
    PwEvent *back = NULL;
    CHECK(pw_event_from_json(json.ptr, json.len, &back, &err) == PW_OK && back != NULL);
    pw_event_free(back);
    back = NULL;
    expect_error(pw_event_from_json(S("{}"), &back, &err), &err, PW_ERR_MALFORMED_PAYLOAD);
    expect_error(pw_event_from_json(NULL, 0, &back, &err), &err, PW_ERR_MALFORMED_PAYLOAD);
    CHECK(back == NULL);
    pw_buf_free(&json);

    /* A number in a decimal field is kept exactly as written (1.50, not 1.5). */
    CHECK(pw_resource_json(view.domain.ptr, view.domain.len, view.raw.ptr, view.raw.len, &canon, &err) == PW_OK);
    CHECK(strstr((const char *)canon.ptr, "\"qty\":\"1.50\"") != NULL);
    pw_buf_free(&canon);
    CHECK(pw_resource_json(S("SOMETHING"), S("{}"), &canon, &err) == PW_OK && strcmp((const char *)canon.ptr, "null") == 0);
    pw_buf_free(&canon);
    expect_error(pw_resource_json(S("WALLET"), S("{\"name\":1}"), &canon, &err), &err, PW_ERR_MALFORMED_PAYLOAD);
    expect_error(pw_resource_json(S("WALLET"), S("not json"), &canon, &err), &err, PW_ERR_MALFORMED_PAYLOAD);
    expect_error(pw_resource_json(S("WALLET"), NULL, 3, &canon, &err), &err, PW_ERR_INVALID_ARGUMENT);
    /* The event's own resource: the core's canonical JSON, absent fields left out. */
    CHECK(pw_event_resource_json(ev, &canon, &err) == PW_OK);
    CHECK(strstr((const char *)canon.ptr, "\"qty\":\"1.50\"") != NULL);
    CHECK(strstr((const char *)canon.ptr, "\"id\":\"tx-1\"") != NULL);
    CHECK(strstr((const char *)canon.ptr, "null") == NULL && strstr((const char *)canon.ptr, "walletId") == NULL);
    pw_buf_free(&canon);
    expect_error(pw_event_resource_json(NULL, &canon, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_event_resource_json(ev, NULL, NULL) == PW_ERR_INVALID_ARGUMENT);
    pw_event_free(ev);
    ev = NULL;

    /* The rotated-in key verifies too; an OMIT timestamp comes back absent. */
    CHECK(verify(wh, &d2.body, "Signature", (const char *)d2.signature.ptr, &ev, &err) == PW_OK);
    CHECK(pw_event_view(ev, &view) && view.timestamp.ptr == NULL && str_eq(view.domain, "WALLET"));
    CHECK(str_eq(view.updated_at, "2025-01-01T00:00:00Z") && view.status.ptr == NULL);
    pw_event_free(ev);
    ev = NULL;

    /* Verify: every failure path. */
    expect_error(verify(wh, &d.body, "X-Other", "x", &ev, &err), &err, PW_ERR_MISSING_SIGNATURE);
    CHECK(ev == NULL);
    expect_error(verify(wh, &d.body, "Signature", "!!!", &ev, &err), &err, PW_ERR_MALFORMED_SIGNATURE);
    expect_error(verify(wh, &d.body, "Signature", (const char *)d2.signature.ptr, &ev, &err), &err, PW_ERR_INVALID_SIGNATURE);
    PwBuf junk = {(uint8_t *)"not json", 8};
    expect_error(verify(wh, &junk, "Signature", (const char *)d.signature.ptr, &ev, &err), &err, PW_ERR_MALFORMED_ENVELOPE);
    PwBuf big = {calloc(5000, 1), 5000};
    expect_error(verify(wh, &big, "Signature", "x", &ev, &err), &err, PW_ERR_BODY_TOO_LARGE);
    free(big.ptr);
    const uint8_t invalid_utf8[] = {'S', 'i', 'g', 'n', 'a', 't', 'u', 'r', 'e', 0xff, 0xfe};
    size_t iu_lens[2] = {9, 2};
    expect_error(pw_webhook_verify(wh, d.body.ptr, d.body.len, invalid_utf8, 11, iu_lens, 1, &ev, &err), &err,
                 PW_ERR_MALFORMED_SIGNATURE);
    expect_error(pw_webhook_verify(wh, NULL, 0, NULL, 0, NULL, 0, &ev, &err), &err, PW_ERR_MISSING_SIGNATURE);
    expect_error(pw_webhook_verify(wh, NULL, 10, NULL, 0, NULL, 0, &ev, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_verify(wh, NULL, 0, invalid_utf8, 11, NULL, 1, &ev, &err), &err, PW_ERR_INVALID_ARGUMENT);
    size_t huge_lens[2] = {SIZE_MAX, 2};
    expect_error(pw_webhook_verify(wh, NULL, 0, invalid_utf8, 11, huge_lens, 1, &ev, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_verify(wh, NULL, 0, invalid_utf8, 11, iu_lens, SIZE_MAX, &ev, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_webhook_verify(NULL, d.body.ptr, d.body.len, NULL, 0, NULL, 0, &ev, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_webhook_verify(wh, d.body.ptr, d.body.len, NULL, 0, NULL, 0, NULL, NULL) == PW_ERR_INVALID_ARGUMENT);

    /* verify_into: the data in the caller's buffer when it fits, else in an owned one. */
    {
        const char *sig = (const char *)d.signature.ptr;
        char flat[1024];
        size_t lens[2] = {9, strlen(sig)};
        memcpy(flat, "Signature", 9);
        memcpy(flat + 9, sig, lens[1]);
        size_t cap = d.body.len * 5 / 2 + 256;
        uint8_t *buf = malloc(cap);
        PwEventData out;
        CHECK(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, (const uint8_t *)flat, 9 + lens[1], lens, 1,
                                     buf, cap, &out, &err) == PW_OK);
        CHECK(out.bytes.ptr == NULL && out.bytes.len > 0 && out.bytes.len <= cap);
        CHECK(span_in(buf, &out, out.domain, "TRANSACTION") && span_in(buf, &out, out.resource_id, "tx-1"));
        CHECK(out.resource.present && buf[out.resource.offset] == 8);
        pw_event_data_free(&out); /* harmless: nothing owned */
        CHECK(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, (const uint8_t *)flat, 9 + lens[1], lens, 1,
                                     buf, 10, &out, &err) == PW_OK);
        CHECK(out.bytes.ptr != NULL && span_eq(&out, out.domain, "TRANSACTION"));
        pw_event_data_free(&out);
        CHECK(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, (const uint8_t *)flat, 9 + lens[1], lens, 1,
                                     NULL, 0, &out, &err) == PW_OK);
        CHECK(out.bytes.ptr != NULL && span_eq(&out, out.idempotency_key, "TRANSACTION/tx-1/2025-05-08T14:15:36Z"));
        pw_event_data_free(&out);
        expect_error(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, (const uint8_t *)flat, 9, lens, 0, buf, cap,
                                            &out, &err), &err, PW_ERR_INVALID_ARGUMENT);
        expect_error(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, NULL, 0, NULL, 0, buf, cap, &out, &err),
                     &err, PW_ERR_MISSING_SIGNATURE);
        CHECK(out.bytes.ptr == NULL && out.bytes.len == 0 && !out.domain.present);
        expect_error(pw_webhook_verify_into(NULL, d.body.ptr, d.body.len, NULL, 0, NULL, 0, buf, cap, &out, &err),
                     &err, PW_ERR_INVALID_ARGUMENT);
        CHECK(pw_webhook_verify_into(wh, d.body.ptr, d.body.len, NULL, 0, NULL, 0, buf, cap, NULL, NULL) ==
              PW_ERR_INVALID_ARGUMENT);
        free(buf);
    }

    /* verify_signature and the documentation's function. */
    PwBuf fp = {0};
    CHECK(pw_webhook_verify_signature(wh, d.payload.ptr, d.payload.len, d.signature.ptr, d.signature.len, &fp, &err) == PW_OK);
    CHECK(fp.len == 16);
    pw_buf_free(&fp);
    CHECK(pw_webhook_verify_signature(wh, d.payload.ptr, d.payload.len, d.signature.ptr, d.signature.len, NULL, NULL) == PW_OK);
    expect_error(pw_webhook_verify_signature(wh, d.payload.ptr, d.payload.len, NULL, 0, &fp, &err), &err, PW_ERR_MISSING_SIGNATURE);
    expect_error(pw_webhook_verify_signature(NULL, NULL, 0, NULL, 0, &fp, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_verify_webhook(pub.ptr, pub.len, d.signature.ptr, d.signature.len, d.payload.ptr, d.payload.len));
    CHECK(!pw_verify_webhook(pub.ptr, pub.len, d2.signature.ptr, d2.signature.len, d.payload.ptr, d.payload.len));
    CHECK(!pw_verify_webhook(NULL, 0, NULL, 0, NULL, 0));
    CHECK(!pw_verify_webhook(NULL, 7, NULL, 0, NULL, 0));
    CHECK(!pw_verify_webhook(S("garbage"), S("garbage"), S("garbage")));

    /* Deduplication. */
    PwStore *store = NULL, *custom = NULL;
    CHECK(pw_memory_store_new(0, 0, &store, &err) == PW_OK && store != NULL);
    CHECK(pw_memory_store_new(10, 0, &custom, &err) == PW_OK);
    pw_store_free(custom);
    custom = NULL;
    CHECK(pw_memory_store_new(0, 1000000000ULL, &custom, &err) == PW_OK);
    pw_store_free(custom);
    CHECK(pw_memory_store_new(0, 0, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);
    PwDedup *dedup = NULL;
    expect_error(pw_dedup_new(NULL, 0, 0, &dedup, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(pw_dedup_new(store, 60000000000ULL, 0, &dedup, &err) == PW_OK && dedup != NULL);
    pw_store_free(store); /* the deduplicator keeps the store alive */

    int32_t outcome = 0;
    PwClaim *claim = NULL, *second = NULL;
    CHECK(pw_dedup_claim(dedup, S("k1"), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_NEW && claim);
    CHECK(pw_dedup_claim(dedup, S("k1"), &outcome, &second, &err) == PW_OK && outcome == PW_CLAIM_IN_PROGRESS && !second);
    bool kept = false;
    CHECK(pw_dedup_release(dedup, claim, &kept, &err) == PW_OK && kept);
    CHECK(pw_dedup_release(dedup, claim, &kept, &err) == PW_OK && !kept);
    pw_claim_free(claim);
    claim = NULL;
    CHECK(pw_dedup_claim(dedup, S("k1"), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_NEW);
    CHECK(pw_dedup_complete(dedup, claim, &kept, &err) == PW_OK && kept);
    CHECK(pw_dedup_complete(dedup, claim, NULL, NULL) == PW_OK);
    pw_claim_free(claim);
    claim = NULL;
    CHECK(pw_dedup_claim(dedup, S("k1"), &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_DUPLICATE && !claim);
    CHECK(pw_dedup_claim(dedup, NULL, 0, &outcome, &claim, &err) == PW_OK && outcome == PW_CLAIM_NEW);
    pw_claim_free(claim); /* freed without completing: the lease will expire */
    claim = NULL;
    expect_error(pw_dedup_claim(dedup, NULL, 3, &outcome, &claim, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_dedup_claim(NULL, S("k"), &outcome, &claim, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_dedup_claim(dedup, S("k"), NULL, &claim, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_dedup_claim(dedup, S("k"), &outcome, NULL, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_dedup_complete(dedup, NULL, &kept, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_dedup_release(NULL, NULL, &kept, &err), &err, PW_ERR_INVALID_ARGUMENT);
    pw_dedup_free(dedup);

    durable_stores();
    receiver_checks(wh, &d, &d2);

    pw_webhook_free(wh);
    pw_delivery_free(&d);
    pw_delivery_free(&d);
    pw_delivery_free(&d2);
    pw_buf_free(&pub);
    pw_buf_free(&other_pub);
    pw_buf_free(&pem);
    pw_signer_free(signer);
    pw_signer_free(other);
    pw_signer_free(loaded);

    if (failures) {
        fprintf(stderr, "abi_check: %d failures\n", failures);
        return 1;
    }
    printf("abi_check: every export exercised, 0 failures\n");
    return 0;
}
