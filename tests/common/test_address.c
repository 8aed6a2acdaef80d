#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/address.h"
#include "common/hex.h"
#include "common/keys.h"

/* Nano's documented account for seed 0, index 0 (its Ed25519-Blake2b public
 * key): the address scheme is Nano's, so only the prefix differs. */
#define NANO_PUB "C008B814A7D269A1FA3C6528B19201A24D797912DB9996FF02A1FF356E45552B"
#define NANO_ADDR "smn_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7"
/* docs/protocol.md: the dev genesis account. */
#define DEV_PUB "FA462F29A38330058FB3A84070B8ADBAAF1FA230E8A0E5D45BFA29D912E9745C"
#define DEV_ADDR "smn_3yk87wnt91si1p9u9c41g4wcugoh5yj53t71wqc7qyjbu6bgkx4wfcgm4fm6"

static void test_known_vectors(void **state)
{
    (void)state;
    uint8_t pub[32], back[32];
    char addr[SMN_ADDRESS_STRLEN];
    assert_true(smn_hex_decode(NANO_PUB, pub, 32));
    smn_address_encode(pub, addr);
    assert_string_equal(addr, NANO_ADDR);
    assert_int_equal(smn_address_decode(NANO_ADDR, back), SMN_ADDRESS_OK);
    assert_memory_equal(pub, back, 32);

    assert_true(smn_hex_decode(DEV_PUB, pub, 32));
    smn_address_encode(pub, addr);
    assert_string_equal(addr, DEV_ADDR);
}

static void test_extremes(void **state)
{
    (void)state;
    uint8_t pub[32], back[32];
    char addr[SMN_ADDRESS_STRLEN];
    memset(pub, 0, 32);
    smn_address_encode(pub, addr);
    assert_int_equal(strlen(addr), SMN_ADDRESS_LEN);
    assert_memory_equal(addr, "smn_1111111111111111111111111111111111111111111111111111", 56);
    assert_int_equal(smn_address_decode(addr, back), SMN_ADDRESS_OK);
    assert_memory_equal(pub, back, 32);
    memset(pub, 0xff, 32);
    smn_address_encode(pub, addr);
    assert_int_equal(addr[4], '3'); /* 4 zero bits then a 1 */
    assert_int_equal(smn_address_decode(addr, back), SMN_ADDRESS_OK);
    assert_memory_equal(pub, back, 32);
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    for (int i = 0; i < 200; i++) {
        smn_keypair kp;
        uint8_t back[32];
        char addr[SMN_ADDRESS_STRLEN];
        smn_key_create(&kp);
        smn_address_encode(kp.pub, addr);
        assert_true(addr[4] == '1' || addr[4] == '3');
        assert_int_equal(smn_address_decode(addr, back), SMN_ADDRESS_OK);
        assert_memory_equal(kp.pub, back, 32);
    }
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t pub[32];
    char a[80];
    memset(pub, 0x5a, 32);
    assert_int_equal(smn_address_decode(NULL, pub), SMN_ADDRESS_BAD_PREFIX);
    assert_int_equal(smn_address_decode("", pub), SMN_ADDRESS_BAD_PREFIX);
    assert_int_equal(smn_address_decode(
                         "nano_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7", pub),
                     SMN_ADDRESS_BAD_PREFIX);
    assert_int_equal(
        smn_address_decode("SMN_3i1aq1cchnmbn9x5rsbap8b15akfh7wj7pwskuzi7ahz8oq6cobd99d4r3b7", pub),
        SMN_ADDRESS_BAD_PREFIX);
    /* Length: one short, one long. */
    strcpy(a, NANO_ADDR);
    a[63] = '\0';
    assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_LENGTH);
    strcpy(a, NANO_ADDR);
    strcat(a, "1");
    assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_LENGTH);
    /* Characters outside the alphabet: 0, 2, l, v, upper case. */
    const char bad[] = {'0', '2', 'l', 'v', 'A', '_', ' '};
    for (size_t i = 0; i < sizeof bad; i++) {
        strcpy(a, NANO_ADDR);
        a[20] = bad[i];
        assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_CHAR);
    }
    /* A first character other than 1 or 3 sets a padding bit. */
    strcpy(a, NANO_ADDR);
    a[4] = '4';
    assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_PADDING);
    /* One changed character in the key or in the checksum. */
    strcpy(a, NANO_ADDR);
    a[30] = a[30] == 'a' ? 'b' : 'a';
    assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_CHECKSUM);
    strcpy(a, NANO_ADDR);
    a[63] = a[63] == '7' ? '8' : '7';
    assert_int_equal(smn_address_decode(a, pub), SMN_ADDRESS_BAD_CHECKSUM);
    /* pub untouched by every failure. */
    for (int i = 0; i < 32; i++)
        assert_int_equal(pub[i], 0x5a);
    for (int x = SMN_ADDRESS_OK; x <= SMN_ADDRESS_BAD_CHECKSUM; x++)
        for (int y = x + 1; y <= SMN_ADDRESS_BAD_CHECKSUM; y++)
            assert_string_not_equal(smn_address_strerror((smn_address_status)x),
                                    smn_address_strerror((smn_address_status)y));
}

int main(void)
{
    if (smn_crypto_init() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_vectors),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_roundtrip_random),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
