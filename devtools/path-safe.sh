# Sourced by devtools scripts that cache builds under the clone.
# path_safe DIR: no component of DIR (nor DIR) is world-writable (EAL
# refuses -d plugins and DPDKs under such a path).
path_safe() {
	local d=$1
	while :; do
		[ -e "$d" ] && [ -n "$(find "$d" -maxdepth 0 -perm -0002)" ] && return 1
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}
