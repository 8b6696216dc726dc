// Its own file because init.ts and kubeconfigs.ts both name it, and init.ts imports kubeconfigs.ts.
/**
 * What init does with one planned item:
 * - create: nothing there, it is issued;
 * - keep: what is there matches the plan and is kept (a second init changes nothing);
 * - copy: kept, and copied into the node trees (or the .pub) that lack it;
 * - replace: there but wrong, and --force: backed up, then issued anew;
 * - conflict: there but wrong: reported, left alone;
 * - blocked: cannot be issued, because its CA has a problem or no key;
 * - external: a CA certificate without its key (kubeadm's external CA mode), used as is.
 */
export type Action = "create" | "keep" | "copy" | "replace" | "conflict" | "blocked" | "external";
