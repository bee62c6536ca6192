# SPDX-License-Identifier: BSD-3-Clause
# Sphinx configuration for the net_tpacket documentation.
# Built by `make doc` (sphinx-build -W: warnings are errors).
import os
import re

_top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _version():
    try:
        with open(os.path.join(_top, 'meson.build'), encoding='utf-8') as f:
            m = re.search(r"version:\s*'([^']+)'", f.read())
            return m.group(1) if m else 'unknown'
    except OSError:
        return 'unknown'


project = 'net_tpacket'
author = 'net_tpacket developers'
copyright = 'net_tpacket developers, BSD-3-Clause'
release = _version()
version = release

root_doc = 'index'
master_doc = 'index'
extensions = []
exclude_patterns = ['_build']
# ASCII diagrams are literal blocks: never try to highlight them.
highlight_language = 'none'
pygments_style = 'sphinx'
numfig = False

html_theme = 'alabaster'
html_title = 'net_tpacket %s' % release
html_theme_options = {
    'description': 'DPDK poll-mode driver over AF_PACKET TPACKET_V3',
    'page_width': '1100px',
    'sidebar_width': '230px',
}
html_static_path = []
html_show_sourcelink = False
