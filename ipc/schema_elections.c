#include "ipc/schema_elections.h"

#include <string.h>

#include "ipc/msg.h"
#include "ipc/schema_common.h"

#define AMOUNT(n) IPC_BIN(n, true, IPC_ELECTIONS_AMOUNT_BYTES, IPC_ELECTIONS_AMOUNT_BYTES)

static const ipc_field online_fields[] = {
    IPC_BIN("rep", true, 32, 32),
    AMOUNT("weight"),
};
static const ipc_field online_elem = IPC_MAP(NULL, true, online_fields);
static const ipc_field status_r_fields[] = {
    IPC_UINT("reps", true),
    IPC_UINT("online_reps", true),
    IPC_ARRAY("online", true, 0, IPC_ELECTIONS_MAX_ONLINE, &online_elem),
    AMOUNT("online_weight"),
    AMOUNT("trended_weight"),
    AMOUNT("online_minimum"),
    AMOUNT("quorum_delta"),
    IPC_UINT_RANGE("quorum_percent", true, 0, 100),
    IPC_UINT("active", true),
    IPC_UINT("max_active", true),
    IPC_UINT("backlog", true),
    IPC_UINT("confirmed", true),
};
static const ipc_field elect_fields[] = {
    IPC_BIN("block", true, IPC_ELECTIONS_BLOCK_BYTES, IPC_ELECTIONS_BLOCK_BYTES),
};
static const ipc_field elect_r_fields[] = {
    IPC_STR("status", true, 1, 16),
};
static const ipc_field active_fields[] = {
    IPC_BIN("after", false, 32, 32),
    IPC_UINT_RANGE("count", true, 1, IPC_ELECTIONS_MAX_ROOTS),
};
static const ipc_field root_elem = IPC_BIN(NULL, true, 32, 32);
static const ipc_field active_r_fields[] = {
    IPC_ARRAY("roots", true, 0, IPC_ELECTIONS_MAX_ROOTS, &root_elem),
    IPC_BOOL("more", true),
    IPC_UINT("total", true),
};
static const ipc_field election_fields[] = {
    IPC_BIN("root", true, 32, 32),
};
static const ipc_field candidate_fields[] = {
    IPC_BIN("block", true, IPC_ELECTIONS_BLOCK_BYTES, IPC_ELECTIONS_BLOCK_BYTES),
    AMOUNT("tally"),
    AMOUNT("final_tally"),
};
static const ipc_field candidate_elem = IPC_MAP(NULL, true, candidate_fields);
static const ipc_field election_r_fields[] = {
    IPC_BIN("root", true, 32, 32),
    IPC_BOOL("found", true),
    IPC_STR("state", false, 1, 16),
    IPC_UINT("age_ms", false),
    IPC_UINT("voters", false),
    IPC_UINT_RANGE("leader", false, 0, IPC_ELECTIONS_MAX_CANDIDATES - 1),
    IPC_UINT_RANGE("winner", false, 0, IPC_ELECTIONS_MAX_CANDIDATES - 1),
    IPC_ARRAY("candidates", false, 1, IPC_ELECTIONS_MAX_CANDIDATES, &candidate_elem),
};
static const ipc_field history_fields[] = {
    IPC_UINT_RANGE("count", true, 1, IPC_ELECTIONS_MAX_HISTORY),
};
static const ipc_field history_entry_fields[] = {
    IPC_BIN("hash", true, 32, 32),
    IPC_BIN("root", true, 32, 32),
    AMOUNT("tally"),
    AMOUNT("final_tally"),
    IPC_UINT("duration_ms", true),
    IPC_UINT("age_ms", true),
    IPC_UINT_RANGE("candidates", true, 1, IPC_ELECTIONS_MAX_CANDIDATES),
};
static const ipc_field history_elem = IPC_MAP(NULL, true, history_entry_fields);
static const ipc_field history_r_fields[] = {
    IPC_ARRAY("entries", true, 0, IPC_ELECTIONS_MAX_HISTORY, &history_elem),
};
static const ipc_kind kinds[] = {
    [IPC_ELECTIONS_K_STATUS] = IPC_KIND_EMPTY("status"),
    [IPC_ELECTIONS_K_STATUS_R] = IPC_KIND("status_r", status_r_fields),
    [IPC_ELECTIONS_K_ELECT] = IPC_KIND("elect", elect_fields),
    [IPC_ELECTIONS_K_ELECT_R] = IPC_KIND("elect_r", elect_r_fields),
    [IPC_ELECTIONS_K_ACTIVE] = IPC_KIND("active", active_fields),
    [IPC_ELECTIONS_K_ACTIVE_R] = IPC_KIND("active_r", active_r_fields),
    [IPC_ELECTIONS_K_ELECTION] = IPC_KIND("election", election_fields),
    [IPC_ELECTIONS_K_ELECTION_R] = IPC_KIND("election_r", election_r_fields),
    [IPC_ELECTIONS_K_HISTORY] = IPC_KIND("history", history_fields),
    [IPC_ELECTIONS_K_HISTORY_R] = IPC_KIND("history_r", history_r_fields),
    [IPC_ELECTIONS_K_RESYNC] = IPC_KIND_EMPTY("resync"),
};
_Static_assert(IPC_COUNT(kinds) == IPC_ELECTIONS_K_COUNT, "one table row per ipc_elections_kind");

static const char *const elect_names[] = {
    [IPC_ELECT_STARTED] = "started", [IPC_ELECT_FORK] = "fork",
    [IPC_ELECT_ACTIVE] = "active",   [IPC_ELECT_CONFIRMED] = "confirmed",
    [IPC_ELECT_QUEUED] = "queued",   [IPC_ELECT_FORKS_FULL] = "forks_full",
};

const char *ipc_elect_status_name(ipc_elect_status s)
{
    return (size_t)s < sizeof elect_names / sizeof elect_names[0] ? elect_names[s] : "?";
}

bool ipc_elect_status_parse(const char *s, size_t len, ipc_elect_status *out)
{
    for (size_t i = 0; i < sizeof elect_names / sizeof elect_names[0]; i++) {
        if (strlen(elect_names[i]) == len && memcmp(elect_names[i], s, len) == 0) {
            *out = (ipc_elect_status)i;
            return true;
        }
    }
    return false;
}

static const char *const state_names[] = {
    [IPC_ELECTION_ACTIVE] = "active",
    [IPC_ELECTION_QUORUM] = "quorum",
    [IPC_ELECTION_CONFIRMED] = "confirmed",
};

const char *ipc_election_state_name(ipc_election_state s)
{
    return (size_t)s < sizeof state_names / sizeof state_names[0] ? state_names[s] : "?";
}

bool ipc_election_state_parse(const char *s, size_t len, ipc_election_state *out)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strlen(state_names[i]) == len && memcmp(state_names[i], s, len) == 0) {
            *out = (ipc_election_state)i;
            return true;
        }
    }
    return false;
}

const ipc_family ipc_family_elections = IPC_FAMILY("elections", kinds, &ipc_family_common);

ipc_elections_kind ipc_elections_kind_of(const ipc_msg *m)
{
    return (ipc_elections_kind)ipc_kind_index(&ipc_family_elections, m);
}

const char *ipc_elections_kind_name(ipc_elections_kind k)
{
    return (unsigned)k < IPC_ELECTIONS_K_COUNT ? kinds[k].name : "unknown";
}
