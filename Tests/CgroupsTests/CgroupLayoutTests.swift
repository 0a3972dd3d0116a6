import Testing
@testable import Cgroups
@testable import LinuxSystem

struct CgroupLayoutTests {
    let hybrid = [
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup", fsType: "tmpfs", superOptions: "rw,mode=755"),
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup/cpu,cpuacct", fsType: "cgroup", superOptions: "rw,cpu,cpuacct"),
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup/memory", fsType: "cgroup", superOptions: "rw,memory"),
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup/freezer", fsType: "cgroup", superOptions: "rw,freezer"),
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup/systemd", fsType: "cgroup", superOptions: "rw,xattr,name=systemd"),
        MountInfo.Entry(mountPoint: "/sys/fs/cgroup/unified", fsType: "cgroup2", superOptions: "rw,nsdelegate"),
    ]

    @Test func hybridLayout() {
        let l = CgroupLayout.parse(hybrid)
        #expect(l.v1.count == 4)
        #expect(l.hierarchy(for: "cpuacct")?.mountPoint == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(l.hierarchy(for: "systemd") == nil)
        #expect(l.v1.last?.mountOptions == "name=systemd")
        #expect(l.unified == "/sys/fs/cgroup/unified")
        #expect(!l.isUnifiedOnly)
    }

    /// Lines as the kernel writes them: optional fields before " - ", octal escapes.
    @Test func mountinfoLines() {
        func entry(_ line: String) -> MountInfo.Entry? { MountInfo.entry(ArraySlice(line.utf8)) }
        #expect(entry("35 24 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct")
                == MountInfo.Entry(mountPoint: "/sys/fs/cgroup/cpu,cpuacct", fsType: "cgroup", superOptions: "rw,cpu,cpuacct"))
        #expect(entry("30 24 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate")
                == MountInfo.Entry(mountPoint: "/sys/fs/cgroup/unified", fsType: "cgroup2", superOptions: "rw,nsdelegate"))
        #expect(entry("99 1 8:1 /a /mnt/with\\040space rw shared:1 master:2 - ext4 /dev/vda rw")?.mountPoint == "/mnt/with space")
        #expect(entry("99 1 8:1 / /mnt rw - ext4") == nil)
        #expect(entry("garbage") == nil)
        #expect(!MountInfo.entries().isEmpty)
    }

    @Test func unifiedLayout() {
        let l = CgroupLayout.parse([MountInfo.Entry(mountPoint: "/sys/fs/cgroup", fsType: "cgroup2", superOptions: "rw")])
        #expect(l.isUnifiedOnly)
    }

    @Test func cgroupsPaths() {
        #expect(CgroupPath.resolve(nil, id: "c1", ownCgroup: "/user.slice") == "/c1")
        #expect(CgroupPath.resolve("/abs/x/", id: "c1", ownCgroup: "/user.slice") == "/abs/x")
        #expect(CgroupPath.resolve("rel/x", id: "c1", ownCgroup: "/user.slice") == "/user.slice/rel/x")
        #expect(CgroupPath.resolve("system.slice:docker:abc", id: "c1", ownCgroup: "/") == "/system.slice/docker/abc")
    }

    @Test func freezerIsFoundInThePlan() {
        let set = CgroupSet.plan(cgroupsPath: "/wl/t", id: "t", layout: CgroupLayout.parse(hybrid))
        #expect(set.freezer == "/sys/fs/cgroup/freezer/wl/t")
        #expect(set.unified == "/sys/fs/cgroup/unified/wl/t")
        #expect(set.directories.count == 5)
    }

    @Test func sharesToWeight() {
        #expect(CgroupV2.weight(fromShares: 2) == 1)
        #expect(CgroupV2.weight(fromShares: 1024) == 39)
        #expect(CgroupV2.weight(fromShares: 262144) == 10000)
    }

    @Test func deviceRules() {
        #expect(DevicesController.rule(.init(allow: false, access: "rwm")) == "a")
        #expect(DevicesController.rule(.init(allow: true, type: "c", major: 1, minor: nil, access: "rw")) == "c 1:* rw")
        #expect(DevicesController.rule(.init(allow: true, type: "b", major: 8, minor: 0, access: nil)) == "b 8:0 rwm")
    }
}
