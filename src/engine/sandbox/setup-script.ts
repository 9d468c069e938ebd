/*
 * The shell that builds a sandbox, run by `unshare` as root of fresh user, mount, network,
 * pid, ipc and uts namespaces. It makes a new root on a tmpfs holding only the system
 * directories (read-only), a minimal /dev, the namespace's own /proc, a private /tmp and the
 * workspace at its own path (read-only unless asked), then enters it with every capability
 * dropped, so the program can neither mount, nor leave the root, nor gain them back by exec.
 * Anything not bound in — home directories, the server's data dir, other workspaces — does
 * not exist inside. The network namespace has only a loopback that is down.
 *
 * Arguments: new-root mount point, workspace root, write (1/0), cwd, pids cgroup dir (or
 * ""), a host file to copy in (or ""), where it goes inside, extra read-only dirs
 * (":"-separated, or ""), then the program.
 */
export const SANDBOX_SETUP = `set -eu
R=$1 ROOT=$2 WRITE=$3 CWD=$4 CG=$5 CODE_SRC=$6 CODE=$7 EXTRA=$8
shift 8
# the program gets the PATH it was given; the set-up finds its tools in the system dirs
P0=$PATH
PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH
CHROOT=$(command -v chroot)
SETPRIV=$(command -v setpriv)
if [ -n "$CG" ]; then echo 0 > "$CG/cgroup.procs"; fi
mount --make-rprivate /
mount -t tmpfs -o size=1m,mode=755 leanctx-sandbox "$R"
ro_bind() {
  if [ -L "$1" ]; then
    ln -s "$(readlink "$1")" "$R$1"
  elif [ -d "$1" ]; then
    mkdir -p "$R$1"
    mount --rbind "$1" "$R$1"
    mount -o remount,bind,ro "$R$1"
  fi
}
for d in /usr /bin /sbin /lib /lib32 /lib64 /libx32 /etc /opt; do ro_bind "$d"; done
for f in /etc/shadow /etc/gshadow; do if [ -e "$R$f" ]; then mount --bind /dev/null "$R$f"; fi; done
for d in /etc/ssh /etc/ssl/private; do if [ -d "$R$d" ]; then mount -t tmpfs -o size=4k,mode=700 hidden "$R$d"; fi; done
mkdir -p "$R/dev" "$R/proc" "$R/tmp"
mount -t tmpfs -o size=64k,mode=755 dev "$R/dev"
for n in null zero full random urandom; do touch "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; done
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t proc proc "$R/proc"
mount -t tmpfs -o size=256m,mode=1777 tmp "$R/tmp"
if [ -n "$EXTRA" ]; then
  old_ifs=$IFS; IFS=:
  for d in $EXTRA; do IFS=$old_ifs; case "$d" in /usr/*|/bin/*|/lib/*|/etc/*|/opt/*) ;; *) ro_bind "$d" ;; esac; done
  IFS=$old_ifs
fi
mkdir -p "$R$ROOT"
mount --rbind "$ROOT" "$R$ROOT"
if [ "$WRITE" != 1 ]; then mount -o remount,bind,ro "$R$ROOT"; fi
if [ -n "$CODE" ]; then mkdir -p "$R\${CODE%/*}"; cat "$CODE_SRC" > "$R$CODE"; chmod 0755 "$R$CODE"; fi
cd "$R"
PATH=$P0
exec "$CHROOT" "$R" /bin/sh -c 'cd "$1" || exit 126; shift; exec "$@"' sandbox "$CWD" \\
  "$SETPRIV" --no-new-privs --bounding-set=-all --inh-caps=-all "$@"
`;
