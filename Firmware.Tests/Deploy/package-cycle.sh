#!/usr/bin/env bash
# Installs, upgrades, removes and purges the robot-controller package in a throwaway root: an overlay over this machine's
# own root, so dpkg, adduser and systemd-analyze are the system's own and nothing reaches the real root. Run as root in a
# private mount namespace (unshare -m): every mount ends with it.
#
#   package-cycle.sh OLD.deb NEW.deb WORK_FOLDER
#
# Checks each step; the first one that does not hold ends it with "FAILED: ..." on stderr and exit code 1.
set -euo pipefail
old_deb=$1 new_deb=$2 work=$3
fail() { echo "FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

mkdir -p "$work/upper" "$work/scratch" "$work/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/scratch" "$work/root"
root=$work/root
mount --rbind /proc "$root/proc"
mount --rbind /dev "$root/dev"
# No /run/systemd/system in here: the maintainer scripts see a system without a running systemd, as in an image build.
mount -t tmpfs tmpfs "$root/run"
mount -t tmpfs tmpfs "$root/tmp"
cp "$old_deb" "$root/tmp/old.deb"
cp "$new_deb" "$root/tmp/new.deb"
in_root() { chroot "$root" "$@"; }
owner_mode() { in_root stat -c '%U:%G %a' "$1"; }
version() { in_root dpkg-query -W -f '${Version} ${db:Status-Status}' robot-controller 2>/dev/null || true; }

step "install"
in_root dpkg -i /tmp/old.deb
old_version=$(dpkg-deb -f "$old_deb" Version)
new_version=$(dpkg-deb -f "$new_deb" Version)
[ "$(version)" = "$old_version installed" ] || fail "after install, dpkg says '$(version)'"
for group in dialout input i2c spi gpio; do
    in_root id -nG robot | tr ' ' '\n' | grep -qx "$group" || fail "user robot is not in group $group ($(in_root id robot))"
done
[ "$(owner_mode /etc/robot-controller/token)" = "root:robot 640" ] || fail "token is $(owner_mode /etc/robot-controller/token), not root:robot 640"
[ -s "$root/etc/robot-controller/token" ] || fail "the token is empty"
[ "$(owner_mode /var/lib/robot-controller)" = "robot:robot 750" ] || fail "/var/lib/robot-controller is $(owner_mode /var/lib/robot-controller)"
[ "$(owner_mode /var/lib/robot-controller/recordings)" = "robot:robot 750" ] || fail "recordings folder is $(owner_mode /var/lib/robot-controller/recordings)"
[ "$(owner_mode /usr/lib/robot-controller/controller)" = "root:root 755" ] || fail "controller is $(owner_mode /usr/lib/robot-controller/controller)"
[ -f "$root/lib/udev/rules.d/60-robot-controller.rules" ] || fail "no udev rules"
[ -f "$root/usr/share/robot-controller/grafana/robot-controller.json" ] || fail "no Grafana dashboard"
in_root systemd-analyze verify /lib/systemd/system/robot-controller.service || fail "systemd-analyze verify rejects the unit"

step "run the installed controller as the service's user"
in_root setpriv --reuid robot --regid robot --init-groups /usr/bin/controller run --robot sim:reach --mode teleop \
    --episodes 1 --unpaced --no-realtime --record /var/lib/robot-controller/recordings
recording=$(in_root find /var/lib/robot-controller/recordings -name 'sim-reach-*.mcap')
[ -n "$recording" ] || fail "the run left no recording in /var/lib/robot-controller/recordings"
[ "$(owner_mode "$recording")" = "robot:robot 644" ] || fail "the recording is $(owner_mode "$recording")"

step "the robot's own files"
echo '{ "name": "my robot" }' > "$root/etc/robot-controller/robot.json"
echo '# tuned on this robot' >> "$root/etc/robot-controller/controller.env"
echo 'policy bytes' > "$root/var/lib/robot-controller/policy.onnx"
token=$(cat "$root/etc/robot-controller/token")
kept() {
    grep -q 'my robot' "$root/etc/robot-controller/robot.json" || fail "$1: robot.json is gone or changed"
    cmp -s <(echo 'policy bytes') "$root/var/lib/robot-controller/policy.onnx" || fail "$1: the policy is gone or changed"
    [ -f "$root$recording" ] || fail "$1: the recording is gone"
}

step "upgrade"
in_root dpkg -i /tmp/new.deb
[ "$(version)" = "$new_version installed" ] || fail "after the upgrade, dpkg says '$(version)'"
grep -q 'tuned on this robot' "$root/etc/robot-controller/controller.env" || fail "upgrade: the edited controller.env was replaced"
[ "$(cat "$root/etc/robot-controller/token")" = "$token" ] || fail "upgrade: the token changed"
[ "$(owner_mode /etc/robot-controller/token)" = "root:robot 640" ] || fail "upgrade: token is $(owner_mode /etc/robot-controller/token)"
kept upgrade

step "remove"
in_root dpkg -r robot-controller
[ "$(version)" = "$new_version config-files" ] || fail "after remove, dpkg says '$(version)'"
[ ! -e "$root/usr/lib/robot-controller" ] || fail "remove: /usr/lib/robot-controller is still there"
[ ! -e "$root/usr/bin/controller" ] && [ ! -L "$root/usr/bin/controller" ] || fail "remove: /usr/bin/controller is still there"
[ ! -e "$root/lib/systemd/system/robot-controller.service" ] || fail "remove: the unit is still there"
grep -q 'tuned on this robot' "$root/etc/robot-controller/controller.env" || fail "remove: controller.env is gone"
[ "$(cat "$root/etc/robot-controller/token")" = "$token" ] || fail "remove: the token is gone"
kept remove

step "purge"
in_root dpkg -P robot-controller
[ -z "$(version)" ] || fail "after purge, dpkg says '$(version)'"
[ ! -e "$root/etc/robot-controller/controller.env" ] || fail "purge: controller.env is still there"
[ ! -e "$root/etc/robot-controller/token" ] || fail "purge: the token is still there"
kept purge
in_root id robot >/dev/null || fail "purge: the robot user, who owns the recordings, is gone"
echo "package cycle: ok"
