/* Framing, the msgpack bound check, schema accept/reject and the builder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <msgpack.h>
#include <string.h>

#include "ipc/ipc.h"
#include "ipc/msgpack_bound.h"

/* A family exercising every field type. */
static const ipc_field u_elem = IPC_UINT_RANGE(NULL, true, 0, 1000);
static const ipc_field inner_fields[] = {
    IPC_STR("label", true, 1, 8),
    IPC_BOOL("flag", false),
};
static const ipc_field all_fields[] = {
    IPC_UINT_RANGE("u", true, 1, 100),
    IPC_INT("i", false),
    IPC_BOOL("b", false),
    IPC_STR("s", false, 0, 5),
    IPC_BIN("h", false, 32, 32),
    IPC_ARRAY("list", false, 0, 3, &u_elem),
    IPC_MAP("inner", false, inner_fields),
};
static const ipc_kind test_kinds[] = {IPC_KIND("all", all_fields)};
static const ipc_family fam_test = IPC_FAMILY("test", test_kinds, &ipc_family_common);

/* Hand-made msgpack for inputs the builder refuses to make. */
typedef struct {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} raw;

static void raw_init(raw *r)
{
    msgpack_sbuffer_init(&r->sb);
    msgpack_packer_init(&r->pk, &r->sb, msgpack_sbuffer_write);
}

static void key(raw *r, const char *k)
{
    msgpack_pack_str(&r->pk, strlen(k));
    msgpack_pack_str_body(&r->pk, k, strlen(k));
}

static ipc_status decode_raw(raw *r, const ipc_family *fam, ipc_error *err)
{
    ipc_msg m;
    ipc_status st = ipc_decode(fam, (const uint8_t *)r->sb.data, r->sb.size, &m, err);
    if (st == IPC_OK)
        ipc_msg_free(&m);
    msgpack_sbuffer_destroy(&r->sb);
    return st;
}

static void test_frame_header(void **state)
{
    (void)state;
    uint8_t h[4] = {0};
    uint32_t n = 0;
    assert_int_equal(ipc_frame_header(h, 3, 0, &n), IPC_E_INVALID);
    ipc_frame_put_len(h, 0);
    assert_int_equal(ipc_frame_header(h, 4, 0, &n), IPC_E_MALFORMED);
    ipc_frame_put_len(h, IPC_FRAME_MAX + 1);
    assert_int_equal(ipc_frame_header(h, 4, 0, &n), IPC_E_TOO_BIG);
    ipc_frame_put_len(h, 300);
    assert_int_equal(ipc_frame_header(h, 4, 299, &n), IPC_E_TOO_BIG);
    assert_int_equal(ipc_frame_header(h, 4, 0, &n), IPC_OK);
    assert_int_equal(n, 300);
    assert_int_equal(h[0], 0);
    assert_int_equal(h[2], 1);
    assert_int_equal(h[3], 44);
}

static void test_roundtrip_all_types(void **state)
{
    (void)state;
    uint8_t hash[32];
    memset(hash, 0xab, sizeof hash);
    ipc_builder b;
    ipc_build_begin(&b, "all");
    ipc_put_uint(&b, "u", 42);
    ipc_put_int(&b, "i", -7);
    ipc_put_bool(&b, "b", true);
    ipc_put_str(&b, "s", "hi");
    ipc_put_bin(&b, "h", hash, sizeof hash);
    ipc_put_array_begin(&b, "list");
    ipc_put_uint(&b, NULL, 1);
    ipc_put_uint(&b, NULL, 999);
    ipc_put_array_end(&b);
    ipc_put_map_begin(&b, "inner");
    ipc_put_str(&b, "label", "x");
    ipc_put_map_end(&b);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &fam_test, 9, 0, &err), IPC_OK);

    uint32_t n;
    assert_int_equal(ipc_frame_header(b.buf, b.len, 0, &n), IPC_OK);
    assert_int_equal(n + 4, b.len);
    ipc_msg m;
    assert_int_equal(ipc_decode(&fam_test, b.buf + 4, n, &m, &err), IPC_OK);
    assert_int_equal(ipc_kind_index(&fam_test, &m), 0);
    assert_int_equal(m.id, 9);
    assert_int_equal(m.re, 0);
    uint64_t u;
    int64_t i;
    bool bo;
    const char *s;
    size_t len;
    const uint8_t *p;
    assert_true(ipc_get_uint(m.body, "u", &u));
    assert_int_equal(u, 42);
    assert_true(ipc_get_int(m.body, "i", &i));
    assert_int_equal(i, -7);
    assert_true(ipc_get_bool(m.body, "b", &bo));
    assert_true(bo);
    assert_true(ipc_get_str(m.body, "s", &s, &len));
    assert_int_equal(len, 2);
    assert_memory_equal(s, "hi", 2);
    assert_true(ipc_get_bin(m.body, "h", &p, &len));
    assert_int_equal(len, 32);
    assert_memory_equal(p, hash, 32);
    const ipc_obj *list = ipc_get_array(m.body, "list");
    assert_int_equal(ipc_array_len(list), 2);
    assert_true(ipc_obj_uint(ipc_array_at(list, 1), &u));
    assert_int_equal(u, 999);
    assert_null(ipc_array_at(list, 2));
    const ipc_obj *inner = ipc_get_map(m.body, "inner");
    char label[4];
    assert_true(ipc_get_strz(inner, "label", label, sizeof label));
    assert_string_equal(label, "x");
    assert_false(ipc_get_bool(inner, "flag", &bo)); /* optional, absent */
    assert_false(ipc_get_uint(m.body, "absent", &u));
    assert_false(ipc_get_uint(m.body, "s", &u)); /* wrong type */
    ipc_msg_free(&m);
    ipc_build_free(&b);
}

static ipc_status build_all(void (*fill)(ipc_builder *), ipc_error *err)
{
    ipc_builder b;
    ipc_build_begin(&b, "all");
    fill(&b);
    ipc_status st = ipc_build_finish(&b, &fam_test, 0, 0, err);
    ipc_build_free(&b);
    return st;
}

static void f_missing(ipc_builder *b)
{
    ipc_put_int(b, "i", 1);
}
static void f_range(ipc_builder *b)
{
    ipc_put_uint(b, "u", 101);
}
static void f_zero(ipc_builder *b)
{
    ipc_put_uint(b, "u", 0);
}
static void f_wrong_type(ipc_builder *b)
{
    ipc_put_str(b, "u", "1");
}
static void f_unknown(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_uint(b, "extra", 1);
}
static void f_dup(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_uint(b, "u", 2);
}
static void f_long_str(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_str(b, "s", "toolong");
}
static void f_short_bin(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_bin(b, "h", "abc", 3);
}
static void f_long_list(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_array_begin(b, "list");
    for (int i = 0; i < 4; i++)
        ipc_put_uint(b, NULL, 1);
    ipc_put_array_end(b);
}
static void f_bad_elem(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_array_begin(b, "list");
    ipc_put_uint(b, NULL, 1001);
    ipc_put_array_end(b);
}
static void f_inner_missing(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_map_begin(b, "inner");
    ipc_put_bool(b, "flag", true);
    ipc_put_map_end(b);
}
static void f_unclosed(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_array_begin(b, "list");
}
static void f_nameless(ipc_builder *b)
{
    ipc_put_uint(b, NULL, 1);
}
static void f_mismatched_close(ipc_builder *b)
{
    ipc_put_uint(b, "u", 1);
    ipc_put_array_begin(b, "list");
    ipc_put_map_end(b);
}

static void test_schema_rejects(void **state)
{
    (void)state;
    ipc_error err;
    assert_int_equal(build_all(f_missing, &err), IPC_E_MISSING_FIELD);
    assert_non_null(strstr(err.detail, "'u'"));
    assert_int_equal(build_all(f_range, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_zero, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_wrong_type, &err), IPC_E_BAD_TYPE);
    assert_non_null(strstr(err.detail, "not a uint"));
    assert_int_equal(build_all(f_unknown, &err), IPC_E_UNKNOWN_FIELD);
    assert_non_null(strstr(err.detail, "'extra'"));
    assert_int_equal(build_all(f_dup, &err), IPC_E_DUP_FIELD);
    assert_int_equal(build_all(f_long_str, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_short_bin, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_long_list, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_bad_elem, &err), IPC_E_BAD_VALUE);
    assert_int_equal(build_all(f_inner_missing, &err), IPC_E_MISSING_FIELD);
    assert_non_null(strstr(err.detail, "'label'"));
    assert_int_equal(build_all(f_unclosed, &err), IPC_E_INVALID);
    assert_int_equal(build_all(f_nameless, &err), IPC_E_INVALID);
    assert_int_equal(build_all(f_mismatched_close, &err), IPC_E_INVALID);

    ipc_builder b;
    ipc_build_begin(&b, "nosuchkind");
    assert_int_equal(ipc_build_finish(&b, &fam_test, 0, 0, &err), IPC_E_UNKNOWN_KIND);
    assert_non_null(strstr(err.detail, "nosuchkind"));
    ipc_build_free(&b);
    /* Base family kinds are accepted through the derived family. */
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    assert_int_equal(ipc_build_finish(&b, &fam_test, 3, 0, &err), IPC_OK);
    ipc_build_free(&b);
}

static void test_decode_rejects_raw(void **state)
{
    (void)state;
    ipc_error err;
    raw r;

    raw_init(&r); /* not a map */
    msgpack_pack_array(&r.pk, 1);
    msgpack_pack_uint8(&r.pk, 1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_MALFORMED);

    raw_init(&r); /* no kind */
    msgpack_pack_map(&r.pk, 1);
    key(&r, "u");
    msgpack_pack_uint8(&r.pk, 1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_NO_KIND);

    raw_init(&r); /* kind not a string */
    msgpack_pack_map(&r.pk, 1);
    key(&r, "kind");
    msgpack_pack_uint8(&r.pk, 1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_NO_KIND);

    raw_init(&r); /* non-string key */
    msgpack_pack_map(&r.pk, 2);
    key(&r, "kind");
    key(&r, "all");
    msgpack_pack_uint8(&r.pk, 1);
    msgpack_pack_uint8(&r.pk, 1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_MALFORMED);

    raw_init(&r); /* id and re together; id kept for an error reply otherwise */
    msgpack_pack_map(&r.pk, 4);
    key(&r, "kind");
    key(&r, "all");
    key(&r, "u");
    msgpack_pack_uint8(&r.pk, 1);
    key(&r, "id");
    msgpack_pack_uint8(&r.pk, 1);
    key(&r, "re");
    msgpack_pack_uint8(&r.pk, 1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_MALFORMED);

    raw_init(&r); /* negative id */
    msgpack_pack_map(&r.pk, 3);
    key(&r, "kind");
    key(&r, "all");
    key(&r, "u");
    msgpack_pack_uint8(&r.pk, 1);
    key(&r, "id");
    msgpack_pack_int8(&r.pk, -1);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_BAD_TYPE);

    raw_init(&r); /* float where a uint belongs */
    msgpack_pack_map(&r.pk, 2);
    key(&r, "kind");
    key(&r, "all");
    key(&r, "u");
    msgpack_pack_double(&r.pk, 1.0);
    assert_int_equal(decode_raw(&r, &fam_test, &err), IPC_E_BAD_TYPE);

    raw_init(&r); /* a schema failure still reports the request id */
    msgpack_pack_map(&r.pk, 2);
    key(&r, "kind");
    key(&r, "all");
    key(&r, "id");
    msgpack_pack_uint8(&r.pk, 77);
    ipc_msg m;
    assert_int_equal(ipc_decode(&fam_test, (const uint8_t *)r.sb.data, r.sb.size, &m, &err),
                     IPC_E_MISSING_FIELD);
    assert_int_equal(m.id, 77);
    msgpack_sbuffer_destroy(&r.sb);
}

static void test_bound_hostile_counts(void **state)
{
    (void)state;
    ipc_error err;
    ipc_msg m;
    /* array32 claiming 4 billion elements in 5 bytes: must not allocate. */
    const uint8_t huge_array[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ipc_decode(&fam_test, huge_array, sizeof huge_array, &m, &err),
                     IPC_E_MALFORMED);
    const uint8_t huge_map[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa0};
    assert_int_equal(ipc_decode(&fam_test, huge_map, sizeof huge_map, &m, &err), IPC_E_MALFORMED);
    const uint8_t huge_str[] = {0x81, 0xdb, 0x7f, 0xff, 0xff, 0xff};
    assert_int_equal(ipc_decode(&fam_test, huge_str, sizeof huge_str, &m, &err), IPC_E_MALFORMED);
    const uint8_t never_used[] = {0x81, 0xc1, 0x01};
    assert_int_equal(ipc_decode(&fam_test, never_used, sizeof never_used, &m, &err),
                     IPC_E_MALFORMED);
    const uint8_t trailing[] = {0x80, 0x00};
    assert_int_equal(ipc_decode(&fam_test, trailing, sizeof trailing, &m, &err), IPC_E_MALFORMED);
    assert_int_equal(ipc_decode(&fam_test, trailing, 0, &m, &err), IPC_E_MALFORMED);
    /* 40 nested one-element arrays. */
    uint8_t deep[41];
    memset(deep, 0x91, 40);
    deep[40] = 0x00;
    assert_int_equal(ipc_decode(&fam_test, deep, sizeof deep, &m, &err), IPC_E_TOO_DEEP);
    /* The same structure passes a deeper bound: only depth was wrong. */
    assert_int_equal(ipc_msgpack_bound(deep + 20, sizeof deep - 20, 24, &err), IPC_OK);
    assert_int_equal(ipc_msgpack_bound(deep + 20, sizeof deep - 20, 19, &err), IPC_E_TOO_DEEP);
}

static void test_builder_grows_and_limits(void **state)
{
    (void)state;
    static uint8_t big[IPC_ECHO_MAX];
    memset(big, 7, sizeof big);
    ipc_builder b;
    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    ipc_put_bin(&b, "echo", big, sizeof big);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_common, 1, 0, &err), IPC_OK);
    assert_true(b.len > sizeof big);
    ipc_build_free(&b);
    ipc_build_free(&b); /* twice is fine */

    ipc_build_begin(&b, "ping");
    ipc_put_uint(&b, "seq", 1);
    ipc_put_bin(&b, "echo", big, sizeof big - 1);
    ipc_put_bin(&b, "echo2", big, 1);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_common, 1, 0, &err), IPC_E_UNKNOWN_FIELD);
    ipc_build_free(&b);

    /* Past the frame limit: a sticky error, never a huge frame. */
    static uint8_t huge[IPC_FRAME_MAX / 2];
    ipc_build_begin(&b, "ping");
    ipc_put_bin(&b, "a", huge, sizeof huge);
    ipc_put_bin(&b, "b", huge, sizeof huge);
    ipc_put_bin(&b, "c", huge, sizeof huge);
    assert_int_equal(ipc_build_finish(&b, &ipc_family_common, 1, 0, &err), IPC_E_TOO_BIG);
    ipc_build_free(&b);
}

static void test_admin_status_schema(void **state)
{
    (void)state;
    ipc_builder b;
    ipc_build_begin(&b, "node_status_r");
    ipc_put_array_begin(&b, "processes");
    for (int i = 0; i < 6; i++) {
        ipc_put_map_begin(&b, NULL);
        ipc_put_str(&b, "name", "net");
        ipc_put_uint(&b, "pid", 100 + (uint64_t)i);
        ipc_put_str(&b, "state", "running");
        ipc_put_uint(&b, "restarts", 0);
        ipc_put_uint(&b, "uptime_s", 5);
        ipc_put_map_end(&b);
    }
    ipc_put_array_end(&b);
    ipc_error err;
    assert_int_equal(ipc_build_finish(&b, &ipc_family_admin, 0, 4, &err), IPC_OK);
    ipc_msg m;
    assert_int_equal(ipc_decode(&ipc_family_admin, b.buf + 4, b.len - 4, &m, &err), IPC_OK);
    assert_int_equal(m.re, 4);
    const ipc_obj *procs = ipc_get_array(m.body, "processes");
    assert_int_equal(ipc_array_len(procs), 6);
    uint64_t pid;
    assert_true(ipc_get_uint(ipc_array_at(procs, 5), "pid", &pid));
    assert_int_equal(pid, 105);
    ipc_msg_free(&m);
    ipc_build_free(&b);

    /* The control family does not know admin kinds. */
    ipc_build_begin(&b, "node_stop");
    assert_int_equal(ipc_build_finish(&b, &ipc_family_control, 1, 0, &err), IPC_E_UNKNOWN_KIND);
    ipc_build_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_header),
        cmocka_unit_test(test_roundtrip_all_types),
        cmocka_unit_test(test_schema_rejects),
        cmocka_unit_test(test_decode_rejects_raw),
        cmocka_unit_test(test_bound_hostile_counts),
        cmocka_unit_test(test_builder_grows_and_limits),
        cmocka_unit_test(test_admin_status_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
