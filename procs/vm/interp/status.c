#include "procs/vm/interp/host.h"

const char *vm_status_name(vm_status st)
{
    switch (st) {
    case VM_OK:
        return "ok";
    case VM_FAULT_OUT_OF_GAS:
        return "out_of_gas";
    case VM_FAULT_DIV_ZERO:
        return "div_zero";
    case VM_FAULT_OVERFLOW:
        return "overflow";
    case VM_FAULT_MEM_BOUNDS:
        return "mem_bounds";
    case VM_FAULT_STACK_OVERFLOW:
        return "stack_overflow";
    case VM_FAULT_CALL_DEPTH:
        return "call_depth";
    case VM_FAULT_VIEW_STATE:
        return "view_state";
    case VM_FAULT_VIEW_WRITE:
        return "view_write";
    case VM_FAULT_NO_METHOD:
        return "no_method";
    case VM_FAULT_EXPLICIT:
        return "fail";
    case VM_FAULT_HOST_ARG:
        return "host_arg";
    case VM_FAULT_HOST_DENIED:
        return "host_denied";
    case VM_FAULT_HOST:
        return "host_error";
    case VM_FAULT_NATIVE:
        return "native_fault";
    case VM_FAULT__COUNT:
        break;
    }
    return "unknown";
}
