#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check that the net_tpacket documentation agrees with the code.

Static checks (always):
  * devargs: the keys[] table of lib/tpk_devargs.c against the guide's
    devargs table (both ways), each key's range / allowed names and its
    default against the row, and the parameter string against the guide;
  * xstats: the names tpacket_stats.c builds against the guide's xstats
    table (both ways; ethdev's generic names are accepted as such);
  * features ini: keys are DPDK feature keys in DPDK's order, values Y/P,
    and every claim matches the code (dev_ops, dev_flags, offload
    capabilities), and vice versa.

Runtime checks (with --runtime DIR, files written by
test/e2e/doc_consistency.sh from a dpdk-testpmd session with one port):
  * the offload capabilities testpmd shows against the ini (both ways) and
    against the code;
  * the xstats names testpmd shows (queue number -> <N>) against the guide
    (both ways);
  * the behaviour behind the other ini keys: link status and events, queue
    start/stop, burst mode, MTU, promiscuous/all-multicast, packet types,
    basic/extended/per-queue stats, firmware version.

Prints one line per check; "MISMATCH:" lines say what disagrees and where.
Exit status: 0 all agree, 1 a mismatch, 2 usage or parse error.
"""
import argparse
import os
import re
import sys

GUIDE = 'doc/guides/nics/tpacket.rst'
INI = 'doc/guides/nics/features/tpacket.ini'
DEVARGS_C = 'lib/tpk_devargs.c'
DEVARGS_H = 'lib/tpk_devargs.h'
ETHDEV_C = 'drivers/net/tpacket/tpacket_config.c'
DRIVER_DIR = 'drivers/net/tpacket'
XSTATS_C = 'drivers/net/tpacket/tpacket_stats.c'

# [Features] keys of DPDK's doc/guides/nics/features/default.ini, in order
# (22.11; a few later keys are accepted too).
DPDK_FEATURES = [
    'Speed capabilities', 'Link status', 'Link status event', 'Removal event',
    'Queue status event', 'Rx interrupt', 'Lock-free Tx queue',
    'Fast mbuf free', 'Free Tx mbuf on demand', 'Queue start/stop',
    'Runtime Rx queue setup', 'Runtime Tx queue setup', 'Shared Rx queue',
    'Burst mode info', 'Power mgmt address monitor', 'MTU update',
    'Buffer split on Rx', 'Scattered Rx', 'LRO', 'TSO', 'Promiscuous mode',
    'Allmulticast mode', 'Unicast MAC filter', 'Multicast MAC filter',
    'RSS hash', 'RSS key update', 'RSS reta update', 'Inner RSS', 'VMDq',
    'SR-IOV', 'DCB', 'VLAN filter', 'Flow control', 'Rate limitation',
    'Congestion management', 'Inline crypto', 'Inline protocol',
    'CRC offload', 'VLAN offload', 'QinQ offload', 'FEC', 'IP reassembly',
    'L3 checksum offload', 'L4 checksum offload', 'Timestamp offload',
    'MACsec offload', 'Inner L3 checksum', 'Inner L4 checksum',
    'Packet type parsing', 'Timesync', 'Rx descriptor status',
    'Tx descriptor status', 'Basic stats', 'Extended stats',
    'Stats per queue', 'FW version', 'EEPROM dump', 'Module EEPROM dump',
    'Registers dump', 'LED', 'Multiprocess aware', 'FreeBSD', 'Linux',
    'Windows', 'ARMv7', 'ARMv8', 'LoongArch64', 'Power8', 'rv64', 'x86-32',
    'x86-64', 'Usage doc', 'Design doc', 'Perf doc',
]

# Offload capability (name as testpmd prints it, i.e. the macro suffix)
# -> feature key; None: no feature key covers it.
RX_CAPA_KEY = {
    'VLAN_STRIP': 'VLAN offload', 'IPV4_CKSUM': 'L3 checksum offload',
    'UDP_CKSUM': 'L4 checksum offload', 'TCP_CKSUM': 'L4 checksum offload',
    'SCTP_CKSUM': 'L4 checksum offload', 'TCP_LRO': 'LRO',
    'QINQ_STRIP': 'QinQ offload', 'VLAN_EXTEND': 'QinQ offload',
    'OUTER_IPV4_CKSUM': 'Inner L3 checksum', 'OUTER_UDP_CKSUM': 'Inner L4 checksum',
    'MACSEC_STRIP': 'MACsec offload', 'VLAN_FILTER': 'VLAN filter',
    'SCATTER': 'Scattered Rx', 'TIMESTAMP': 'Timestamp offload',
    'SECURITY': 'Inline crypto', 'KEEP_CRC': 'CRC offload',
    'RSS_HASH': 'RSS hash', 'BUFFER_SPLIT': 'Buffer split on Rx',
    'HEADER_SPLIT': None,
}
TX_CAPA_KEY = {
    'VLAN_INSERT': 'VLAN offload', 'IPV4_CKSUM': 'L3 checksum offload',
    'UDP_CKSUM': 'L4 checksum offload', 'TCP_CKSUM': 'L4 checksum offload',
    'SCTP_CKSUM': 'L4 checksum offload', 'TCP_TSO': 'TSO', 'UDP_TSO': 'TSO',
    'VXLAN_TNL_TSO': 'TSO', 'GRE_TNL_TSO': 'TSO', 'IPIP_TNL_TSO': 'TSO',
    'GENEVE_TNL_TSO': 'TSO', 'IP_TNL_TSO': 'TSO', 'UDP_TNL_TSO': 'TSO',
    'OUTER_IPV4_CKSUM': 'Inner L3 checksum', 'OUTER_UDP_CKSUM': 'Inner L4 checksum',
    'QINQ_INSERT': 'QinQ offload', 'MACSEC_INSERT': 'MACsec offload',
    'MT_LOCKFREE': 'Lock-free Tx queue', 'MULTI_SEGS': None,
    'MBUF_FAST_FREE': 'Fast mbuf free', 'SECURITY': 'Inline crypto',
    'SEND_ON_TIMESTAMP': None,
}
OFFLOAD_KEYS = sorted({k for k in list(RX_CAPA_KEY.values()) +
                       list(TX_CAPA_KEY.values()) if k})

# Keys decided by an eth_dev_ops member or a flag in the driver's files.
OPS_KEY = {
    'Link status': r'\.link_update\s*=',
    'Link status event': r'RTE_ETH_DEV_INTR_LSC',
    'Removal event': r'RTE_ETH_DEV_INTR_RMV',
    'Rx interrupt': r'\.rx_queue_intr_enable\s*=',
    'Queue start/stop': r'\.rx_queue_start\s*=',
    'Free Tx mbuf on demand': r'\.tx_done_cleanup\s*=',
    'Runtime Rx queue setup': r'RTE_ETH_DEV_CAPA_RUNTIME_RX_QUEUE_SETUP',
    'Runtime Tx queue setup': r'RTE_ETH_DEV_CAPA_RUNTIME_TX_QUEUE_SETUP',
    'Burst mode info': r'\.rx_burst_mode_get\s*=',
    'Power mgmt address monitor': r'\.get_monitor_addr\s*=',
    'MTU update': r'\.mtu_set\s*=',
    'Promiscuous mode': r'\.promiscuous_enable\s*=',
    'Allmulticast mode': r'\.allmulticast_enable\s*=',
    'Unicast MAC filter': r'\.mac_addr_add\s*=',
    'Multicast MAC filter': r'\.set_mc_addr_list\s*=',
    'RSS key update': r'\.rss_hash_update\s*=',
    'RSS reta update': r'\.reta_update\s*=',
    'Flow control': r'\.flow_ctrl_set\s*=',
    'Packet type parsing': r'\.dev_supported_ptypes_get\s*=',
    'Timesync': r'\.timesync_enable\s*=',
    'Rx descriptor status': r'rx_descriptor_status',
    'Tx descriptor status': r'tx_descriptor_status',
    'Basic stats': r'\.stats_get\s*=',
    'Extended stats': r'\.xstats_get\s*=',
    'Stats per queue': r'q_ipackets\[',
    'FW version': r'\.fw_version_get\s*=',
    'EEPROM dump': r'\.get_eeprom\s*=',
    'Module EEPROM dump': r'\.get_module_eeprom\s*=',
    'Registers dump': r'\.get_reg\s*=',
    'LED': r'\.dev_led_on\s*=',
    'Multiprocess aware': r'rte_mp_action_register',
}

ETHDEV_XSTATS = {
    'rx_good_packets', 'tx_good_packets', 'rx_good_bytes', 'tx_good_bytes',
    'rx_missed_errors', 'rx_errors', 'tx_errors', 'rx_mbuf_allocation_errors',
    'rx_q<N>_packets', 'rx_q<N>_bytes', 'rx_q<N>_errors', 'tx_q<N>_packets',
    'tx_q<N>_bytes',
}


class Checker:
    def __init__(self, top):
        self.top = top
        self.bad = 0
        self.good = 0

    def read(self, rel):
        with open(os.path.join(self.top, rel), encoding='utf-8') as f:
            return f.read()

    def ok(self, msg):
        self.good += 1
        print('ok: ' + msg)

    def mismatch(self, msg):
        self.bad += 1
        print('MISMATCH: ' + msg)

    def expect(self, cond, okmsg, badmsg):
        if cond:
            self.ok(okmsg)
        else:
            self.mismatch(badmsg)


class ParseError(Exception):
    pass


# ---------------------------------------------------------------- parsing

def c_eval(expr, macros):
    """Value of a small integer C expression using the given macros."""
    e = expr.strip()
    for _ in range(10):
        new = re.sub(r'\b([A-Z_][A-Z0-9_]*)\b',
                     lambda m: '(' + macros[m.group(1)] + ')'
                     if m.group(1) in macros else m.group(0), e)
        if new == e:
            break
        e = new
    e = re.sub(r'\b(\d+)(?:[uU][lL]{0,2}|[lL]{1,2}[uU]?)\b', r'\1', e)
    if not re.fullmatch(r'[0-9()<>+\-*/|& x]+', e):
        raise ParseError('cannot evaluate C expression %r (-> %r)' % (expr, e))
    return int(eval(e, {'__builtins__': {}}, {}))


def header_macros(text):
    macros = {}
    for m in re.finditer(r'^#define\s+([A-Z_][A-Z0-9_]*)\s+([^/\n]+?)\s*(?:/\*.*)?$',
                         text, re.M):
        macros[m.group(1)] = m.group(2)
    return macros


def string_arrays(text):
    """static const char *const NAME[] = { ... } -> {NAME: {index_expr: str}}"""
    arrays = {}
    for m in re.finditer(r'static const char \*const (\w+)\[\]\s*=\s*\{(.*?)\};',
                         text, re.S):
        body = m.group(2)
        items = re.findall(r'\[(\w+)\]\s*=\s*"([^"]*)"', body)
        if items:
            arrays[m.group(1)] = dict(items)
        else:
            arrays[m.group(1)] = {str(i): s for i, s in
                                  enumerate(re.findall(r'"([^"]*)"', body))}
    return arrays


def parse_devargs(ck):
    c = ck.read(DEVARGS_C)
    h = ck.read(DEVARGS_H)
    macros = header_macros(h)
    arrays = string_arrays(c)
    m = re.search(r'static const struct key keys\[\]\s*=\s*\{(.*?)\n\};', c, re.S)
    if not m:
        raise ParseError('%s: no keys[] table' % DEVARGS_C)
    keys = []
    for e in re.finditer(
            r'\{\s*"(\w+)",\s*(K_\w+),\s*OFF\((\w+)\),\s*([^,]+),\s*([^,]+),'
            r'\s*(\w+),\s*(\d+),\s*"([^"]*)"', m.group(1)):
        name, kind, field, lo, hi, names, _, allowed = e.group(1, 2, 3, 4, 5, 6, 7, 8)
        k = {'name': name, 'kind': kind, 'field': field, 'allowed': allowed}
        if kind == 'K_UINT':
            k['min'] = c_eval(lo, macros)
            k['max'] = c_eval(hi, macros)
        if kind == 'K_ENUM':
            if names not in arrays:
                raise ParseError('%s: names array %s of %s not found'
                                 % (DEVARGS_C, names, name))
            k['names'] = arrays[names]
        keys.append(k)
    if not keys:
        raise ParseError('%s: keys[] has no entries I can parse' % DEVARGS_C)
    # Defaults: memset 0, then the assignments in tpk_devargs_defaults().
    d = re.search(r'tpk_devargs_defaults\([^)]*\)\s*\{(.*?)\n\}', c, re.S)
    if not d:
        raise ParseError('%s: no tpk_devargs_defaults()' % DEVARGS_C)
    defaults = {f: v.strip() for f, v in
                re.findall(r'da->(\w+)\s*=\s*([^;]+);', d.group(1))}
    for k in keys:
        k['default'] = defaults.get(k['field'], '0')
    hm = re.search(r'#define TPK_DEVARGS_HELP\s*\\\n(.*?)\n\n', h, re.S)
    helptext = ' '.join(re.findall(r'"([^"]*)"', hm.group(1))) if hm else ''
    return keys, helptext


def parse_code_xstats(ck):
    c = ck.read(XSTATS_C)
    rx = re.findall(r'RXS\("(\w+)"', c)
    tx = re.findall(r'TXS\("(\w+)"', c)
    arrays = string_arrays(c)
    rx += list(arrays.get('rx_extra', {}).values())
    port = list(arrays.get('port_extra', {}).values())
    for fmt in ('"rx_%s"', '"tx_%s"', '"rx_q%u_%s"', '"tx_q%u_%s"'):
        if fmt not in c:
            raise ParseError('%s: name format %s not found: update check-doc.py'
                             % (XSTATS_C, fmt))
    if not rx or not tx:
        raise ParseError('%s: no RXS()/TXS() names found' % XSTATS_C)
    names = set()
    for n in rx:
        names |= {'rx_' + n, 'rx_q<N>_' + n}
    for n in tx:
        names |= {'tx_' + n, 'tx_q<N>_' + n}
    names |= set(port)
    return names, len(rx) + len(tx) + len(port)


def rst_table(text, marker):
    """Rows (lists of cell texts) of the list-table after '.. tpk-check: marker'."""
    lines = text.split('\n')
    try:
        i = next(n for n, l in enumerate(lines)
                 if l.strip() == '.. tpk-check: ' + marker)
    except StopIteration:
        raise ParseError('%s: no ".. tpk-check: %s" marker' % (GUIDE, marker))
    while i < len(lines) and not lines[i].lstrip().startswith('.. list-table::'):
        i += 1
    if i == len(lines):
        raise ParseError('%s: no list-table after the %s marker' % (GUIDE, marker))
    rows, row, cell_indent = [], None, None
    for l in lines[i + 1:]:
        if l.strip() and not l.startswith(' '):
            break           # dedent: end of the directive
        m = re.match(r'^(\s*)\* - ?(.*)$', l)
        if m:
            row = [m.group(2)]
            rows.append(row)
            cell_indent = len(m.group(1)) + 2
            continue
        m = re.match(r'^(\s*)- ?(.*)$', l)
        if row is not None and m and len(m.group(1)) == cell_indent:
            row.append(m.group(2))
            continue
        if row is not None and l.strip():
            row[-1] += ' ' + l.strip()
    if len(rows) < 2:
        raise ParseError('%s: the %s table has no rows' % (GUIDE, marker))
    return rows[1:]     # header row


def literals(cell):
    return re.findall(r'``([^`]+)``', cell)


def has_number(text, n):
    return re.search(r'(?<![\d.])%d(?![\d])' % n, text) is not None


def parse_ini(ck):
    feats = {}
    order = []
    section = None
    for n, l in enumerate(ck.read(INI).split('\n'), 1):
        s = l.strip()
        if not s or s.startswith(';'):
            continue
        if s.startswith('['):
            section = s
            continue
        if section != '[Features]':
            continue
        if '=' not in s:
            raise ParseError('%s:%d: not "key = value": %s' % (INI, n, s))
        k, v = (x.strip() for x in s.split('=', 1))
        feats[k] = v
        order.append(k)
    return feats, order


def func_body(text, name):
    m = re.search(r'\n%s\([^)]*\)\s*\{(.*?)\n\}' % re.escape(name), text, re.S)
    if not m:
        raise ParseError('%s: function %s not found' % (ETHDEV_C, name))
    return m.group(1)


def code_capa(ck):
    c = ck.read(ETHDEV_C)
    rx = set(re.findall(r'RTE_ETH_RX_OFFLOAD_(\w+)', func_body(c, 'tpk_rx_capa')))
    tx = set(re.findall(r'RTE_ETH_TX_OFFLOAD_(\w+)', func_body(c, 'tpk_tx_capa')))
    return rx, tx


def claimed(feats, key):
    return feats.get(key, '') in ('Y', 'P')


# ----------------------------------------------------------------- checks

def check_devargs(ck, guide):
    keys, helptext = parse_devargs(ck)
    rows = rst_table(guide, 'devargs')
    doc = {}
    for r in rows:
        names = literals(r[0])
        if len(names) != 1:
            ck.mismatch('%s devargs table: first cell %r should name one key'
                        % (GUIDE, r[0]))
            continue
        doc[names[0]] = r
    code = {k['name']: k for k in keys}
    for name in code:
        ck.expect(name in doc, 'devarg %s is in the guide' % name,
                  'devarg %s (lib/tpk_devargs.c keys[]) is missing from the '
                  'devargs table of %s' % (name, GUIDE))
    for name in doc:
        if name not in code:
            ck.mismatch('devarg %s in the devargs table of %s does not exist in '
                        'lib/tpk_devargs.c keys[]' % (name, GUIDE))
    for name, k in code.items():
        if name not in doc:
            continue
        row = doc[name]
        values = row[1] if len(row) > 1 else ''
        text = ' '.join(row)
        if k['kind'] == 'K_UINT':
            ck.expect(has_number(text, k['min']) and has_number(text, k['max']),
                      'devarg %s: range [%d, %d] documented' % (name, k['min'], k['max']),
                      'devarg %s: the guide row does not give the range [%d, %d] '
                      'from keys[]: %s' % (name, k['min'], k['max'], values))
            dv = k['default']
            if dv.lstrip('-').isdigit() and int(dv) < 0:
                want, okd = 'unset', 'unset' in values
            elif dv.isdigit() and int(dv) == 0 and k['min'] > 0:
                want, okd = 'derived', 'derived' in values
            else:
                try:
                    want = str(c_eval(dv, {}))
                except ParseError:
                    want = dv
                okd = re.search(r'\(%s\)' % re.escape(want), values) is not None
            ck.expect(okd, 'devarg %s: default %s documented' % (name, want),
                      'devarg %s: default in code is %s (%s), the guide says: %s'
                      % (name, dv, want, values))
        elif k['kind'] == 'K_ENUM':
            names = set(k['names'].values())
            lits = set(literals(values))
            ck.expect(names <= lits and lits - {n for n in lits if n not in names} <= names,
                      'devarg %s: values %s documented' % (name, '|'.join(sorted(names))),
                      'devarg %s: values in code %s, in the guide %s'
                      % (name, sorted(names), sorted(lits)))
            extra = {l for l in lits if l not in names}
            if extra:
                ck.mismatch('devarg %s: the guide lists values %s that the parser '
                            'does not accept' % (name, sorted(extra)))
            dname = k['names'].get(k['default'], k['names'].get('0'))
            ck.expect(dname is not None and '(``%s``)' % dname in values,
                      'devarg %s: default %s documented' % (name, dname),
                      'devarg %s: default in code is %s, the guide says: %s'
                      % (name, dname, values))
        elif k['kind'] == 'K_IFACE':
            ck.expect('required' in values, 'devarg %s: required' % name,
                      'devarg %s: the guide should say it is required' % name)
        else:
            dv = k['default']
            ck.expect(dv not in ('0', '') or 'unset' in values,
                      'devarg %s: default (unset) documented' % name,
                      'devarg %s: the guide should say it is unset by default: %s'
                      % (name, values))
        # Every number in the parser's own description of the value.
        nums = [int(n) for n in re.findall(r'\d+', k['allowed'])]
        miss = [n for n in nums if not has_number(text, n)]
        ck.expect(not miss, 'devarg %s: limits of "%s" documented' % (name, k['allowed']),
                  'devarg %s: the parser says "%s" but the guide row lacks %s'
                  % (name, k['allowed'], miss))
    # The parameter string, token by token.
    flat = ' '.join(guide.split())
    missing = [t for t in helptext.split() if t not in flat]
    ck.expect(helptext and not missing,
              'RTE_PMD_REGISTER_PARAM_STRING text is in the guide',
              'parameter string tokens missing from %s: %s' % (GUIDE, missing))


def check_xstats_static(ck, guide):
    code, nb = parse_code_xstats(ck)
    rows = rst_table(guide, 'xstats')
    doc = set()
    for r in rows:
        doc |= set(literals(r[0]))
    ck.ok('tpacket_stats.c defines %d counters (%d names with the per-queue '
          'forms)' % (nb, len(code)))
    for n in sorted(code - doc):
        ck.mismatch('xstat %s (tpacket_stats.c) is missing from the xstats '
                    'table of %s' % (n, GUIDE))
    for n in sorted(doc - code - ETHDEV_XSTATS):
        ck.mismatch('xstat %s in the xstats table of %s is neither built by '
                    'tpacket_stats.c nor one of ethdev\'s generic names' % (n, GUIDE))
    if code <= doc:
        ck.ok('every xstat of tpacket_stats.c is in the guide')
    return doc, code


def check_ini_static(ck):
    feats, order = parse_ini(ck)
    for k in order:
        if k not in DPDK_FEATURES:
            ck.mismatch('%s: "%s" is not a DPDK feature key (default.ini)' % (INI, k))
    known = [k for k in order if k in DPDK_FEATURES]
    idx = [DPDK_FEATURES.index(k) for k in known]
    ck.expect(idx == sorted(idx), 'ini keys are in default.ini order',
              '%s: keys are not in default.ini order' % INI)
    for k, v in feats.items():
        if v not in ('Y', 'P'):
            ck.mismatch('%s: %s = %r (use Y or P, or leave the key out)' % (INI, k, v))
    ddir = os.path.join(ck.top, DRIVER_DIR)
    c = '\n'.join(ck.read(os.path.join(DRIVER_DIR, f))
                  for f in sorted(os.listdir(ddir)) if f.endswith('.c'))
    for key, pat in OPS_KEY.items():
        has = re.search(pat, c) is not None
        if claimed(feats, key) and not has:
            ck.mismatch('ini claims "%s" but %s/*.c has no %s' % (key, DRIVER_DIR, pat))
        elif has and not claimed(feats, key):
            ck.mismatch('%s/*.c implements "%s" (%s) but the ini does not claim it'
                        % (DRIVER_DIR, key, pat))
        elif has:
            ck.ok('"%s": claimed and implemented' % key)
    rx, tx = code_capa(ck)
    check_capa_vs_ini(ck, feats, rx, tx, 'code (tpk_rx_capa/tpk_tx_capa)')
    for key, path in (('Usage doc', GUIDE),
                      ('Design doc', 'doc/guides/design/index.rst'),
                      ('Perf doc', 'doc/guides/perf/index.rst')):
        exists = os.path.exists(os.path.join(ck.top, path))
        if claimed(feats, key) != exists:
            ck.mismatch('"%s" is %s in the ini but %s %s' % (
                key, feats.get(key, 'absent'), path,
                'exists' if exists else 'does not exist'))
        else:
            ck.ok('"%s" agrees with %s' % (key, path))
    return feats, rx, tx


def check_capa_vs_ini(ck, feats, rx, tx, where):
    adv = {}
    for caps, table, d in ((rx, RX_CAPA_KEY, 'RX'), (tx, TX_CAPA_KEY, 'TX')):
        for cap in sorted(caps):
            if cap not in table:
                ck.mismatch('%s: %s offload %s has no feature-key mapping in '
                            'check-doc.py' % (where, d, cap))
                continue
            if table[cap]:
                adv.setdefault(table[cap], []).append('%s %s' % (d, cap))
    for key in OFFLOAD_KEYS:
        if key in adv and not claimed(feats, key):
            ck.mismatch('%s advertises %s but the ini does not claim "%s"'
                        % (where, ', '.join(adv[key]), key))
        elif claimed(feats, key) and key not in adv:
            ck.mismatch('the ini claims "%s" but %s advertises no offload for it'
                        % (key, where))
        elif key in adv:
            ck.ok('"%s": %s advertises %s' % (key, where, ', '.join(adv[key])))


# ---------------------------------------------------------------- runtime

def rt(ck, d, name):
    p = os.path.join(d, name)
    if not os.path.exists(p):
        raise ParseError('runtime file %s missing' % p)
    with open(p, encoding='utf-8', errors='replace') as f:
        return f.read()


def capa_tokens(text):
    caps = set()
    for l in text.split('\n'):
        m = re.match(r'\s*Per (?:Queue|Port)\s*:(.*)$', l)
        if m:
            caps |= set(m.group(1).split())
    return caps


def kernel_ge(release, major, minor):
    m = re.match(r'(\d+)\.(\d+)', release.strip())
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (major, minor)


def xstat_values(text):
    vals = []
    for l in text.split('\n'):
        m = re.match(r'^([A-Za-z0-9_]+):\s+(\d+)\s*$', l.strip())
        if m:
            vals.append((m.group(1), int(m.group(2))))
    return vals


def check_runtime(ck, d, feats, code_rx, code_tx, doc_xstats, code_xstats, strict):
    release = rt(ck, d, 'uname.txt')
    rx = capa_tokens(rt(ck, d, 'rx_capa.txt'))
    tx = capa_tokens(rt(ck, d, 'tx_capa.txt'))
    if not rx or not tx:
        ck.mismatch('testpmd showed no offload capabilities (rx %s, tx %s)' % (rx, tx))
    check_capa_vs_ini(ck, feats, rx, tx, 'the running port')
    # The running port against the code.
    allowed_missing = set() if kernel_ge(release, 6, 2) else {'UDP_TSO'}
    for d_, run, code in (('RX', rx, code_rx), ('TX', tx, code_tx)):
        extra = run - code
        miss = code - run - allowed_missing
        ck.expect(not extra and not miss,
                  '%s capabilities of the running port match the code' % d_,
                  '%s capabilities: running port has %s that the code does not '
                  'list, lacks %s that it lists (kernel %s)'
                  % (d_, sorted(extra), sorted(miss), release.strip()))

    # xstats names.
    vals = xstat_values(rt(ck, d, 'xstats.txt'))
    names = [n for n, _ in vals]
    if not names:
        raise ParseError('no xstats in %s/xstats.txt' % d)
    norm = [re.sub(r'_q\d+_', '_q<N>_', n) for n in names]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        msg = ('duplicate xstat names from the running port: %s (ethdev and the '
               'driver both use them)' % ', '.join(dups))
        if strict:
            ck.mismatch(msg)
        else:
            print('WARNING: ' + msg)
    run = set(norm)
    for n in sorted(run - doc_xstats):
        ck.mismatch('xstat %s shown by testpmd is not in the xstats table of %s'
                    % (n, GUIDE))
    for n in sorted(doc_xstats - run):
        ck.mismatch('xstat %s in the xstats table of %s is not shown by the '
                    'running port' % (n, GUIDE))
    for n in sorted(code_xstats - run):
        ck.mismatch('xstat %s built by tpacket_stats.c is not shown by the '
                    'running port' % n)
    if run == doc_xstats:
        ck.ok('the %d xstat names of the running port (%d with <N>) are exactly '
              'the guide\'s' % (len(names), len(run)))
    value = dict(vals)

    info = rt(ck, d, 'info.txt')
    info_off = rt(ck, d, 'info_promisc_off.txt')
    iplink = rt(ck, d, 'iplink.txt')
    events = rt(ck, d, 'events.txt')
    rxq = rt(ck, d, 'rxq_info.txt')
    rxq_stopped = rt(ck, d, 'rxq_stopped.txt')
    rxq_started = rt(ck, d, 'rxq_started.txt')
    ptypes = rt(ck, d, 'ptypes.txt')
    stats = rt(ck, d, 'stats.txt')
    reta0 = rt(ck, d, 'reta_before.txt')
    reta1 = rt(ck, d, 'reta_after.txt')

    def rx_packets():
        m = re.search(r'RX-packets:\s*(\d+)', stats)
        return int(m.group(1)) if m else 0

    fw = re.search(r'^Firmware-version:\s*(.*)$', info, re.M)
    probes = {
        'Link status': re.search(r'^Link status: up$', info, re.M) is not None,
        'Link status event': 'Port 0: link state change event' in events,
        'Removal event': 'Port 0: device removal event' in events,
        'Queue start/stop': 'Rx queue state: stopped' in rxq_stopped and
                            'Rx queue state: started' in rxq_started,
        'Burst mode info': re.search(r'^Burst mode: \S', rxq, re.M) is not None,
        'MTU update': re.search(r'^MTU: 1400$', info, re.M) is not None and
                      re.search(r'\bmtu 1400\b', iplink) is not None,
        'Promiscuous mode': 'Promiscuous mode: disabled' in info_off and
                            'Promiscuous mode: enabled' in info and
                            re.search(r'\bpromiscuity [1-9]', iplink) is not None,
        'Allmulticast mode': 'Allmulticast mode: enabled' in info,
        'Packet type parsing': 'L3_IPV4' in ptypes and 'L4_TCP' in ptypes,
        'Basic stats': rx_packets() > 0,
        # Ring mode counts blocks; the default frames mode has no block
        # counter to move: the driver's own names and some traffic then.
        'Extended stats': value.get('rx_blocks_timeout', 0) +
                          value.get('rx_blocks_full', 0) > 0 or
                          ('rx_long_frames' in value and
                           value.get('rx_good_packets', 0) > 0),
        'Stats per queue': sum(v for n, v in vals
                               if re.fullmatch(r'rx_q\d+_packets', n)) > 0,
        'RSS hash': 'Supported RSS offload flow types' in info,
        'RSS reta update': re.search(r'^Redirection table size: [1-9]', info, re.M)
                           is not None and
                           'hash index=1, queue=1' in reta0 and
                           'hash index=0, queue=1' in reta1,
        'FW version': fw is not None and 'not available' not in fw.group(1)
                      and fw.group(1).strip() != '',
    }
    for key, works in probes.items():
        if claimed(feats, key) and not works:
            ck.mismatch('the ini claims "%s" but the running port does not show '
                        'it (see %s)' % (key, d))
        elif works and not claimed(feats, key):
            ck.mismatch('the running port shows "%s" but the ini does not claim it'
                        % key)
        elif works:
            ck.ok('"%s": claimed, and works on the running port' % key)
    if fw:
        feat = 'uso' in fw.group(1).split()
        ck.expect(feat == ('UDP_TSO' in tx),
                  'firmware version "%s" agrees with UDP_TSO' % fw.group(1).strip(),
                  'firmware version "%s" and UDP_TSO capability disagree'
                  % fw.group(1).strip())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--top', default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help='repository root')
    ap.add_argument('--runtime', metavar='DIR',
                    help='testpmd outputs written by test/e2e/doc_consistency.sh')
    ap.add_argument('--strict', action='store_true',
                    help='duplicate xstat names are mismatches, not warnings')
    a = ap.parse_args()
    ck = Checker(a.top)
    try:
        guide = ck.read(GUIDE)
        print('== devargs: lib/tpk_devargs.c <-> %s' % GUIDE)
        check_devargs(ck, guide)
        print('== xstats: tpacket_stats.c <-> %s' % GUIDE)
        doc_x, code_x = check_xstats_static(ck, guide)
        print('== features: %s <-> code' % INI)
        feats, rx, tx = check_ini_static(ck)
        if a.runtime:
            print('== running port (%s) <-> ini, guide and code' % a.runtime)
            check_runtime(ck, a.runtime, feats, rx, tx, doc_x, code_x, a.strict)
    except (ParseError, OSError) as e:
        print('ERROR: %s' % e)
        return 2
    print('%d checks agree, %d mismatches' % (ck.good, ck.bad))
    return 1 if ck.bad else 0


if __name__ == '__main__':
    sys.exit(main())
