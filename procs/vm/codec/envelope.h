/* NanoVM message envelope: the bytes a codec frame carries, laid out as
 *   [kind|flags u8][program_id 8][session_id varint][seq varint][body]
 * with a kind-specific body (docs/vm.md "Envelope" documents every byte).
 *
 * Decoding is strict and total: each input has at most one meaning, every
 * malformed input gets its own status, and nothing is allocated. Decoded
 * envelopes borrow from the input buffer (pointer fields such as code, data,
 * claim and cipher point into it), so the input must outlive the struct. */
#ifndef VM_CODEC_ENVELOPE_H
#define VM_CODEC_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/amount.h"

/* A program is named on the wire by the first 8 bytes of its 32-byte id.
 * Programs are sequenced by their host account's chain, so the prefix only
 * has to tell apart the programs hosted by one account. */
#define VM_PROGRAM_ID_PREFIX_BYTES 8
#define VM_ENVELOPE_NONCE_BYTES 24 /* crypto_secretbox_NONCEBYTES */
#define VM_ENVELOPE_KEY_BYTES 32   /* crypto_secretbox_KEYBYTES */
#define VM_ENVELOPE_MAC_BYTES 16   /* crypto_secretbox_MACBYTES */
#define VM_ENVELOPE_HASH_BYTES 32
#define VM_CALL_MAX_ARGS 5
/* Smallest possible envelope: kind byte, program id, two one-byte varints. */
#define VM_ENVELOPE_MIN_BYTES (1 + VM_PROGRAM_ID_PREFIX_BYTES + 2)

typedef enum {
    VM_KIND_DEPLOY = 1,
    VM_KIND_CALL = 2,
    VM_KIND_STATE = 3,
    VM_KIND_ATTEST = 4,
    VM_KIND_COMMIT = 5,
    VM_KIND_BURN_MINT = 6,
} vm_kind;

/* High nibble of the first byte. Unassigned bits must be zero. */
#define VM_ENVELOPE_FLAG_ENCRYPTED 0x10u

typedef enum {
    VM_CODE_NATIVE = 0,   /* code = the native program's name and init bytes */
    VM_CODE_BYTECODE = 1, /* code = NanoVM bytecode */
} vm_code_kind;

typedef enum {
    VM_STATE_SET = 0,        /* this version's data; latest valid version wins */
    VM_STATE_SUPERSEDE = 1,  /* data that explicitly replaces version target_seq */
    VM_STATE_INVALIDATE = 2, /* withdraws version target_seq; no data */
} vm_state_op;

/* Nana's CallValue widths. */
typedef enum {
    VM_ARG_ABSENT = 0,
    VM_ARG_U8 = 1,
    VM_ARG_U16 = 2,
    VM_ARG_U32 = 3,
    VM_ARG_U64 = 4,
    VM_ARG_U128 = 5,
} vm_arg_width;

typedef struct {
    uint8_t code_kind; /* vm_code_kind */
    const uint8_t *code;
    size_t code_len; /* >= 1 */
} vm_deploy_body;

typedef struct {
    uint8_t method;
    uint8_t iteration;
    uint8_t width[VM_CALL_MAX_ARGS];    /* vm_arg_width; VM_ARG_ABSENT = None */
    smn_amount_t arg[VM_CALL_MAX_ARGS]; /* 0 when absent; fits its width */
} vm_call_body;

typedef struct {
    uint8_t op;          /* vm_state_op */
    uint32_t target_seq; /* SUPERSEDE / INVALIDATE only */
    const uint8_t *data; /* SET / SUPERSEDE; may be empty */
    size_t data_len;
} vm_state_body;

typedef struct {
    uint8_t subject[VM_ENVELOPE_HASH_BYTES];
    const uint8_t *claim; /* may be empty */
    size_t claim_len;
} vm_attest_body;

typedef struct {
    uint8_t state_root[VM_ENVELOPE_HASH_BYTES];
    uint64_t height;
} vm_commit_body;

/* The minted amount is the burn send's own amount, so only the beneficiary
 * travels; without one the burner's account is credited. */
typedef struct {
    bool has_recipient;
    uint8_t recipient[32]; /* Ed25519 public key */
} vm_burn_mint_body;

typedef struct {
    uint8_t kind;                                   /* vm_kind */
    uint8_t flags;                                  /* VM_ENVELOPE_FLAG_* */
    uint8_t program_id[VM_PROGRAM_ID_PREFIX_BYTES]; /* all zero for deploy */
    uint32_t session_id;
    uint32_t seq; /* version of the (program, session) state */
    /* Encrypted envelopes: the body is secretbox(nonce, key) of the plain
     * body. Until vm_envelope_decrypt succeeds, opaque is true and only
     * nonce/cipher are meaningful. */
    bool opaque;
    uint8_t nonce[VM_ENVELOPE_NONCE_BYTES];
    const uint8_t *cipher; /* MAC + ciphertext, >= VM_ENVELOPE_MAC_BYTES */
    size_t cipher_len;
    union {
        vm_deploy_body deploy;
        vm_call_body call;
        vm_state_body state;
        vm_attest_body attest;
        vm_commit_body commit;
        vm_burn_mint_body burn_mint;
    } body;
} vm_envelope;

typedef enum {
    VM_ENV_OK = 0,
    VM_ENV_ERR_ARG,             /* NULL pointer or invalid field in the struct to encode */
    VM_ENV_ERR_TRUNCATED,       /* input ends inside a field */
    VM_ENV_ERR_TRAILING,        /* bytes left after the body */
    VM_ENV_ERR_UNKNOWN_KIND,    /* kind nibble not a vm_kind */
    VM_ENV_ERR_RESERVED_FLAGS,  /* an unassigned flag bit is set */
    VM_ENV_ERR_VARINT_LONG,     /* varint not in its shortest form */
    VM_ENV_ERR_VARINT_OVERFLOW, /* varint above the field's maximum */
    VM_ENV_ERR_DEPLOY_ID,       /* deploy with a non-zero program id */
    VM_ENV_ERR_CODE_KIND,       /* deploy code kind neither native nor bytecode */
    VM_ENV_ERR_EMPTY_CODE,      /* deploy without code */
    VM_ENV_ERR_ARG_WIDTH,       /* call argument width code above u128 */
    VM_ENV_ERR_ARG_SPEC,        /* call argument spec's reserved top bit set */
    VM_ENV_ERR_STATE_OP,        /* unknown state operation */
    VM_ENV_ERR_BURN_TARGET,     /* burn-mint body neither empty nor 32 bytes */
    VM_ENV_ERR_BUFFER,          /* output buffer too small */
    VM_ENV_ERR_NOT_ENCRYPTED,   /* decrypt asked of a clear envelope */
    VM_ENV_ERR_DECRYPT,         /* wrong key or corrupted ciphertext */
} vm_env_status;

/* Decode len bytes. On VM_ENV_OK *out is filled (borrowing from in);
 * an encrypted envelope comes back with opaque = true. */
vm_env_status vm_envelope_decode(const uint8_t *in, size_t len, vm_envelope *out);

/* Encode a clear envelope (flags without ENCRYPTED); *out_len gets the size.
 * Returns VM_ENV_ERR_ARG for a struct the decoder would not produce and
 * VM_ENV_ERR_BUFFER (with *out_len = bytes needed) if cap is too small. */
vm_env_status vm_envelope_encode(const vm_envelope *env, uint8_t *out, size_t cap, size_t *out_len);

/* Encode env with its body sealed by crypto_secretbox_easy under key and
 * nonce (the caller picks a fresh random nonce; deterministic code never
 * does). Same errors as vm_envelope_encode. */
vm_env_status vm_envelope_encode_encrypted(const vm_envelope *env,
                                           const uint8_t key[VM_ENVELOPE_KEY_BYTES],
                                           const uint8_t nonce[VM_ENVELOPE_NONCE_BYTES],
                                           uint8_t *out, size_t cap, size_t *out_len);

/* Open an opaque envelope with key: the plain body is written to plain
 * (cap >= env->cipher_len - VM_ENVELOPE_MAC_BYTES) and parsed into *out,
 * which then borrows from plain and has opaque = false. A wrong key gives
 * VM_ENV_ERR_DECRYPT and leaves *out untouched, so the caller keeps the
 * opaque envelope; a body that decrypts but is malformed gives that error. */
vm_env_status vm_envelope_decrypt(const vm_envelope *env, const uint8_t key[VM_ENVELOPE_KEY_BYTES],
                                  uint8_t *plain, size_t plain_cap, vm_envelope *out);

const char *vm_env_strerror(vm_env_status st);
const char *vm_kind_name(vm_kind kind); /* "deploy", ...; "unknown" otherwise */

#endif
