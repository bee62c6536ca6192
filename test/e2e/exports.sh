#!/bin/bash
# The plugin exports only its public API (rte_pmd_tpacket_*, declared in
# rte_pmd_tpacket.h) and calls its own code directly, never through the
# PLT: internal names neither leak into the application's namespace nor
# cost an indirect jump per packet.
set -eu
. "$(dirname "$0")/../lib/common.sh"

so=$TPK_BUILD/drivers/net/tpacket/librte_net_tpacket.so
[ -f "$so" ] || tpk_skip "no plugin at $so"
command -v nm >/dev/null && command -v objdump >/dev/null ||
	tpk_skip "binutils missing"

exported=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
echo "exported: $exported"
bad=$(echo "$exported" | grep -v '^rte_pmd_tpacket_' || true)
[ -z "$bad" ] || tpk_fail "internal symbols exported: $(echo $bad)"

# Every public function declared in the header is exported.
hdr=$(dirname "$0")/../../drivers/net/tpacket/rte_pmd_tpacket.h
for f in $(grep -o 'rte_pmd_tpacket_[a-z_]*(' "$hdr" | tr -d '(' | sort -u); do
	echo "$exported" | grep -qx "$f" || tpk_fail "$f not exported"
done

plt=$(objdump -d "$so" | grep -cE 'call.*<tpk_[a-z0-9_]*@plt>' || true)
echo "PLT calls to tpk_*: $plt"
[ "$plt" = 0 ] || tpk_fail "$plt calls into the driver go through the PLT"
echo "exports: $(echo "$exported" | wc -l) symbol(s), no PLT calls into tpk_*"
