/* Base conversion between big-endian bytes and base-99 digits, the
 * arithmetic core of the codec (internal to procs/vm/codec).
 *
 * Both directions work on 64-bit limbs against 99^9, the largest power of
 * 99 below 2^64, so an N-byte number costs about N^2/130 limb operations:
 * schoolbook, but with word-sized steps (division by 99^9 is a multiply by
 * a precomputed inverse). */
#ifndef VM_CODEC_RADIX_H
#define VM_CODEC_RADIX_H

#include <stddef.h>
#include <stdint.h>

/* Upper bound on the base-99 digits of an n-byte number. */
size_t vm_radix_max_digits(size_t n);

/* Base-99 digits (0..98, most significant first, no leading zero) of the
 * big-endian number in[0..n) into digits (cap >= vm_radix_max_digits(n)).
 * *n_digits = 0 for the value zero. Returns 0, -EINVAL or -ENOMEM. */
int vm_radix_bytes_to_base99(const uint8_t *in, size_t n, uint8_t *digits, size_t cap,
                             size_t *n_digits);

/* Big-endian bytes, without leading zero bytes, of the number whose base-99
 * digits (each 0..98, most significant first) are digits[0..d), into out
 * (cap >= d, always enough). *n_out = 0 for the value zero.
 * Returns 0, -EINVAL (a digit above 98) or -ENOMEM. */
int vm_radix_base99_to_bytes(const uint8_t *digits, size_t d, uint8_t *out, size_t cap,
                             size_t *n_out);

#endif
