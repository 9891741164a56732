package dev.kumaforge.harness.peers.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A process and its descendants read from {@code /proc}: pids, CPU time, listening sockets. */
public final class ProcTree {
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private ProcTree() {}

  /** The pid of {@code root} followed by those of its live descendants. */
  public static List<Long> pids(ProcessHandle root) {
    List<Long> pids = new ArrayList<>();
    pids.add(root.pid());
    root.descendants().filter(ProcessHandle::isAlive).forEach(p -> pids.add(p.pid()));
    return pids;
  }

  /**
   * CPU milliseconds (user + system) used by the tree since it started: every live process's own
   * time plus the time of children it has reaped, so workers that exit are still counted. 0 without
   * {@code /proc}.
   */
  public static long cpuMillis(ProcessHandle root) {
    long ticks = 0;
    for (long pid : pids(root)) {
      ticks += cpuTicks(pid);
    }
    return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
  }

  private static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
      return Long.parseLong(f[11])
          + Long.parseLong(f[12])
          + Long.parseLong(f[13])
          + Long.parseLong(f[14]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Whether a process of the tree holds a TCP socket listening on {@code port}; true when {@code
   * /proc} cannot tell (not Linux), so callers fall back to probing alone.
   */
  public static boolean listensOn(ProcessHandle root, int port) {
    Set<String> inodes = new HashSet<>();
    boolean readable = false;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        List<String> lines = Files.readAllLines(Path.of(table));
        readable = true;
        String portHex = String.format(Locale.ROOT, ":%04X", port);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
          if (f.length > 9 && f[1].endsWith(portHex) && f[3].equals("0A")) {
            inodes.add("socket:[" + f[9] + "]");
          }
        }
      } catch (IOException e) {
        // table missing: IPv6 off or not Linux
      }
    }
    if (!readable) {
      return true;
    }
    if (inodes.isEmpty()) {
      return false;
    }
    for (long pid : pids(root)) {
      try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/fd"))) {
        for (Path fd : fds) {
          try {
            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
              return true;
            }
          } catch (IOException e) {
            // fd closed meanwhile
          }
        }
      } catch (IOException e) {
        // process gone or not ours to read
      }
    }
    return false;
  }
}
