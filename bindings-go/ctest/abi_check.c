/*
 * Exercises every export of the C ABI, including error paths and NULL inputs. `make test` runs
 * it under valgrind memcheck (zero errors, zero leaks required) and under scripts/with-redis.sh,
 * which exports PALISADE_TEST_REDIS_URL: the Redis store's success path needs that server (the
 * check fails without it); its error path uses a closed port, and the SQLite store a file in a
 * temporary directory.
 */
#define _POSIX_C_SOURCE 200809L
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
    CHECK(pw_dedup_new(store, NULL, &dedup, &err) == PW_OK);
    pw_store_free(store);
    store = NULL;
    claim_complete_duplicate(dedup, "sqlite-key");
    pw_dedup_free(dedup);
    dedup = NULL;
    /* Reopened with the defaults (NULL options): the record survived. */
    CHECK(pw_sqlite_store_new(S(path), NULL, &store, &err) == PW_OK && store != NULL);
    CHECK(pw_dedup_new(store, NULL, &dedup, &err) == PW_OK);
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
    /* A busy timeout of zero (or above one hour) is refused before the file is touched. */
    PwSqliteOptions zero_busy = {.has_busy_timeout = true, .busy_timeout_ns = 0};
    expect_error(pw_sqlite_store_new(S(path), &zero_busy, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    zero_busy.busy_timeout_ns = 3601000000000ULL;
    expect_error(pw_sqlite_store_new(S(path), &zero_busy, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(store == NULL);
    unlink(wal);
    unlink(shm);
    CHECK(unlink(path) == 0);
    CHECK(rmdir(dir) == 0);

    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d/0", closed_port());
    PwRedisOptions ro = {.has_prefix = true, .has_timeout = true, .timeout_ns = 500000000ULL,
                         .has_connect_timeout = true, .connect_timeout_ns = 500000000ULL};
    expect_error(pw_redis_store_new(S(url), S("abi:"), &ro, &store, &err), &err, PW_ERR_STORE_UNAVAILABLE);
    CHECK(store == NULL);
    expect_error(pw_redis_store_new(S("not a url"), NULL, 0, NULL, &store, &err), &err, PW_ERR_STORE_UNAVAILABLE);
    expect_error(pw_redis_store_new(NULL, 3, NULL, 0, NULL, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    expect_error(pw_redis_store_new(S(url), NULL, 5, &ro, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    PwRedisOptions zero_timeout = {.has_timeout = true, .timeout_ns = 0};
    expect_error(pw_redis_store_new(S(url), NULL, 0, &zero_timeout, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    PwRedisOptions huge_connect = {.has_connect_timeout = true, .connect_timeout_ns = UINT64_MAX};
    expect_error(pw_redis_store_new(S(url), NULL, 0, &huge_connect, &store, &err), &err, PW_ERR_INVALID_ARGUMENT);
    CHECK(store == NULL);

    const char *live = getenv("PALISADE_TEST_REDIS_URL");
    CHECK(live != NULL && live[0] != '\0'); /* run under scripts/with-redis.sh */
    if (live != NULL && live[0] != '\0') {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "abi-check:%d:", (int)getpid());
        CHECK(pw_redis_store_new(S(live), S(prefix), &ro, &store, &err) == PW_OK && store != NULL);
        PwDedupOptions one_second = {.has_retention = true, .retention_ns = 1000000000ULL};
        CHECK(pw_dedup_new(store, &one_second, &dedup, &err) == PW_OK);
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
    CHECK(str_eq(view.idempotency_key, "tx-1:2025-05-08T14:15:36Z"));
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
    CHECK(pw_memory_store_new(NULL, &store, &err) == PW_OK && store != NULL);
    PwMemoryOptions ten = {.has_max_entries = true, .max_entries = 10};
    CHECK(pw_memory_store_new(&ten, &custom, &err) == PW_OK);
    pw_store_free(custom);
    custom = NULL;
    PwMemoryOptions one_second_ttl = {.has_ttl = true, .ttl_ns = 1000000000ULL};
    CHECK(pw_memory_store_new(&one_second_ttl, &custom, &err) == PW_OK);
    pw_store_free(custom);
    custom = NULL;
    CHECK(pw_memory_store_new(NULL, NULL, &err) == PW_ERR_INVALID_ARGUMENT);
    pw_error_free(&err);
    /* Zero and absurd values are refused, with a message naming the option. */
    PwMemoryOptions bad_memory[] = {
        {.has_max_entries = true, .max_entries = 0},
        {.has_ttl = true, .ttl_ns = 0},
        {.has_ttl = true, .ttl_ns = 999999ULL},
        {.has_ttl = true, .ttl_ns = UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof bad_memory / sizeof bad_memory[0]; i++) {
        CHECK(pw_memory_store_new(&bad_memory[i], &custom, &err) == PW_ERR_INVALID_ARGUMENT && custom == NULL);
        CHECK(err.message.ptr != NULL && strstr((const char *)err.message.ptr, "must be at least") != NULL);
        pw_error_free(&err);
    }
    PwDedup *dedup = NULL;
    expect_error(pw_dedup_new(NULL, NULL, &dedup, &err), &err, PW_ERR_INVALID_ARGUMENT);
    PwDedupOptions bad_dedup[] = {
        {.has_lease = true, .lease_ns = 0},
        {.has_retention = true, .retention_ns = 0},
        {.has_lease = true, .lease_ns = UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof bad_dedup / sizeof bad_dedup[0]; i++) {
        expect_error(pw_dedup_new(store, &bad_dedup[i], &dedup, &err), &err, PW_ERR_INVALID_ARGUMENT);
        CHECK(dedup == NULL);
    }
    PwDedupOptions one_minute = {.has_lease = true, .lease_ns = 60000000000ULL};
    CHECK(pw_dedup_new(store, &one_minute, &dedup, &err) == PW_OK && dedup != NULL);
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
