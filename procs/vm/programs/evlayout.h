/* The byte layout of every event type's data (docs/vm.md "Events"), as a
 * table the RPC, the CLI and tests decode events with: one description,
 * so the decoders and the writers in this directory cannot drift apart
 * silently (tests/vm/programs/test_programs.c checks every stored event of
 * every test, and of a generated transcript, against it). */
#ifndef VM_PROGRAMS_EVLAYOUT_H
#define VM_PROGRAMS_EVLAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    VM_EF_CODE = 1,   /* u8: native outcome code (vm_evcode_name) */
    VM_EF_U8,         /* u8 */
    VM_EF_U32,        /* u32 BE */
    VM_EF_U64,        /* u64 BE */
    VM_EF_U128,       /* u128 BE: an amount (decimal string in JSON) */
    VM_EF_HASH,       /* 32 bytes: a block hash, token id or message id */
    VM_EF_ACCOUNT,    /* 32 bytes: an account public key (smn_ address) */
    VM_EF_PROGRAM,    /* 32 bytes: a program id */
    VM_EF_ASSET,      /* 32 bytes: token id, or 32 zeros for (v)smn */
    VM_EF_COMMIT,     /* u8: commit result (vm_evcommit_name) */
    VM_EF_STATE_OP,   /* u8: 0 set, 1 supersede, 2 invalidate */
    VM_EF_VM_STATUS,  /* u8: bytecode outcome (vm_status name) */
    VM_EF_TOKEN_META, /* rest, optional: etcher 32 | decimals 1 | cap 16 | minted 16 |
                         name len 1 | name | symbol len 1 | symbol */
    VM_EF_REST,       /* every remaining byte (hex in JSON) */
} vm_evfield_kind;

typedef struct {
    const char *name; /* JSON key */
    uint8_t kind;     /* vm_evfield_kind */
} vm_evfield;

/* The fields of an event type, in order; NULL for an unknown type. */
const vm_evfield *vm_evlayout(const char *type, size_t *n);
/* Every known type, NULL-terminated (for docs and tests). */
const char *const *vm_evlayout_types(void);
/* True if t names a known type ("token.mint") or a family of them
 * ("token": the part before a '.'). */
bool vm_evlayout_known_family(const char *t);
/* True if data[0..len) is exactly what the type's layout describes (every
 * fixed field present, the optional token metadata well formed). */
bool vm_evlayout_fits(const char *type, const uint8_t *data, size_t len);
/* Fixed size of a field kind; 0 for VM_EF_TOKEN_META and VM_EF_REST. */
size_t vm_evfield_size(uint8_t kind);

/* Names of the codes (never NULL: "code_N" style names are the caller's). */
const char *vm_evcode_name(uint8_t code);   /* "ok", "bad_args", ...; NULL if unassigned */
const char *vm_evcommit_name(uint8_t code); /* "match", ...; NULL if unassigned */
const char *vm_evstate_op_name(uint8_t op); /* "set", ...; NULL if unassigned */

/* Token metadata as stored and as token.etch carries it. */
typedef struct {
    uint8_t etcher[32];
    uint8_t decimals;
    uint8_t cap[16], minted[16]; /* u128 BE */
    char name[17], symbol[17];
} vm_token_meta;
bool vm_token_meta_parse(const uint8_t *p, size_t len, vm_token_meta *out);

#endif
