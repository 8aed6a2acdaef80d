/* Network parameters and genesis blocks of dev, test and live.
 *
 * Every genesis block is an open block: previous = 0, link = representative =
 * the genesis account, balance = the whole supply. The test and live genesis
 * blocks were signed once, offline, with throw-away keys that were never
 * stored; only the signed blocks remain. dev publishes its key so anyone can
 * run a devnet. */
#include "common/network.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "common/hex.h"

/* Blake2b-256 of the ASCII string "smallnano dev genesis". */
#define DEV_GENESIS_PRIVATE "F9C9E3974A7AAFCC6B85584351865C7EF5D56088827C1974A90733368D771922"

typedef struct {
    const char *account;
    const char *signature;
    uint64_t work;
} genesis_hex;

static const genesis_hex genesis_src[3] = {
    [SMN_NET_DEV] = {"FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C",
                     "C100E3CBCD3C125CB7186C17CC29F65F240C396303497F24C7E18C2E9A70581F"
                     "A5DA29D6556C5467CBF4C0A4E5014328AB2AAA6EE71B7DCA3B06C8BD9DC01903",
                     0xA916177009FD6FE8ull},
    [SMN_NET_TEST] = {"B98DF9E9DBB3EEBD8B4E7EA2B9A66A76D45FD3A7BED6008423483ABC50B76BE0",
                      "14D346A116842B79FB40438BB961FF37EF592386004DB4C1B38253A44D04B400"
                      "304A9B213F04C5DA9053C7F5C21E59107272589E8F55BAAC208D4A7631C82A03",
                      0xF01D00BAC8D9AD1Aull},
    [SMN_NET_LIVE] = {"C0789E22B98E6DF5E9816152AEDAC1956BDE993492453233006D1CB8722DABA2",
                      "46D62DBC8E4792804E2C3CA6493E9EC93F2E681CD61C7EE32E8B44E16C29C47F"
                      "41A054A5572314EEBAF43BFC97D3017719F8D50947C77BE8868394DCE68BBF04",
                      0x331AEE4B5C2F35CAull},
};

static smn_network networks[3] = {
    [SMN_NET_DEV] = {.id = SMN_NET_DEV,
                     .name = "dev",
                     .magic = {'S', 'D'},
                     .peering_port = 17075,
                     .rpc_port = 17076,
                     .ws_port = 17078,
                     .work_send = 0xfe00000000000000ull,
                     .work_receive = 0xfc00000000000000ull},
    [SMN_NET_TEST] = {.id = SMN_NET_TEST,
                      .name = "test",
                      .magic = {'S', 'T'},
                      .peering_port = 27075,
                      .rpc_port = 27076,
                      .ws_port = 27078,
                      .work_send = 0xfff0000000000000ull,
                      .work_receive = 0xffc0000000000000ull},
    [SMN_NET_LIVE] = {.id = SMN_NET_LIVE,
                      .name = "live",
                      .magic = {'S', 'L'},
                      .peering_port = 7075,
                      .rpc_port = 7076,
                      .ws_port = 7078,
                      .work_send = 0xfffffff800000000ull,
                      .work_receive = 0xfffffe0000000000ull},
};

static uint8_t dev_key[32];

/* Decoding the constants is pure and idempotent, so concurrent first calls
 * from several threads write identical bytes; pthread_once keeps it tidy. */
static pthread_once_t networks_once = PTHREAD_ONCE_INIT;

static void networks_init(void)
{
    for (int i = 0; i < 3; i++) {
        smn_block *g = &networks[i].genesis;
        memset(g, 0, sizeof *g);
        /* The constants are fixed and asserted by tests/common/test_network.c;
         * a decode failure here is a source typo the tests catch. */
        (void)smn_hex_decode(genesis_src[i].account, g->account, 32);
        (void)smn_hex_decode(genesis_src[i].signature, g->signature, SMN_SIG_BYTES);
        memcpy(g->representative, g->account, 32);
        memcpy(g->link, g->account, 32);
        g->balance = smn_network_supply();
        g->work = genesis_src[i].work;
    }
    (void)smn_hex_decode(DEV_GENESIS_PRIVATE, dev_key, 32);
}

const smn_network *smn_network_get(smn_network_id id)
{
    if ((unsigned)id > SMN_NET_LIVE)
        return NULL;
    pthread_once(&networks_once, networks_init);
    return &networks[id];
}

const smn_network *smn_network_by_name(const char *name)
{
    if (!name)
        return NULL;
    for (int i = 0; i < 3; i++)
        if (strcmp(name, networks[i].name) == 0)
            return smn_network_get((smn_network_id)i);
    return NULL;
}

const uint8_t *smn_network_dev_genesis_key(void)
{
    pthread_once(&networks_once, networks_init);
    return dev_key;
}

smn_amount_t smn_network_supply(void)
{
    smn_amount_t supply = smn_amount_zero();
    smn_amount_mul(smn_amount_one_smn(), smn_amount_from_u64(10000000u),
                   &supply); /* 10^37 < 2^128 */
    return supply;
}
