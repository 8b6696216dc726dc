import { watch, type FSWatcher } from "node:fs";

/**
 * Watches a set of folders (not recursively: the node's files live in a few
 * known ones) and calls `onChange` `delayMs` after the first event of a burst:
 * a renewal writes several files, and one check should see them all. Not
 * after the last event: files that keep changing would then never be checked.
 *
 * The set is replaced after every check (`sync`), so folders that appear later
 * (a first kubeadm init, /etc/kubernetes/pki/etcd) are picked up, and watches
 * on folders that vanished are dropped instead of failing.
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onChange: () => void, private readonly delayMs: number) {}

  sync(dirs: Iterable<string>): void {
    const wanted = new Set(dirs);
    for (const [dir, w] of this.watchers) {
      if (!wanted.has(dir)) this.drop(dir, w);
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, () => this.changed());
        // The folder was removed or became unreadable: forget it, and say so by checking again.
        w.on("error", () => {
          this.drop(dir, w);
          this.changed();
        });
        this.watchers.set(dir, w);
      } catch {
        // Missing or unreadable now; the next sync tries again.
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const [dir, w] of this.watchers) this.drop(dir, w);
  }

  private drop(dir: string, w: FSWatcher): void {
    w.close();
    this.watchers.delete(dir);
  }

  private changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onChange();
    }, this.delayMs);
    this.timer.unref();
  }
}
