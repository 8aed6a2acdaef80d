/* NanoVM disassembler: verified "SVM1" bytecode -> assembler text that
 * vm_asm() turns back into the identical bytes. Method entries are labelled
 * m<id>, other jump targets L<offset>; each line ends with its code offset
 * as a comment (fault reports name that offset). */
#ifndef SMN_VM_DISASM_H
#define SMN_VM_DISASM_H

#include <stddef.h>
#include <stdint.h>

#include "procs/vm/interp/bytecode_check.h"

/* On success *text is a NUL-terminated heap string the caller frees. Code
 * that fails the verifier is refused with the verifier's error in *err (err
 * may be NULL); VM_VERIFY_NOMEM on allocation failure. */
vm_verify_status vm_disasm(const uint8_t *blob, size_t len, char **text, vm_verify_error *err);

#endif
