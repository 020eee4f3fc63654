package astro

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// Memory limits. Create, Connect, TripartiteConnect and the first Simulate
// estimate what the network will occupy — node state, connections and the
// ring buffers that the longest delay sizes — and refuse, before allocating
// anything, work beyond the budget: KernelConfig.MemoryLimit, or else the
// memory the machine has available. An out-of-memory crash takes a whole
// notebook kernel down with it; an error leaves the kernel as it was.
//
// The estimates count the large arrays (per node, per connection, per ring
// slot) and the recordings: those held so far, and before each Simulate
// the multimeter samples the run will add, which are known in advance (the
// nodes recorded, the interval and window, record_from). A run whose
// samples cannot fit is refused before it starts, with the estimate and
// the budget. Spike recordings depend on the activity and are counted only
// once they are held.

// memAccount is a kernel's estimated size: fixed bytes (node state,
// connections) and bytes per ring-buffer slot (every node's input
// channels); the ring has min_delay + max_delay slots (in steps).
type memAccount struct {
	fixed   float64
	perSlot float64
	// budget is the machine's available memory plus the kernel's estimate
	// when it was read (0: not read yet); source says where it came from.
	budget float64
	source string
}

// memCheckFloor: below this estimate the budget is not consulted (and the
// machine's memory not read), so small networks pay nothing.
const memCheckFloor = 64 << 20

// Estimated bytes per connection: its target while connecting and after
// the split per thread; from a poisson_generator also its random stream and
// position. Per source row of a projection: its list head and offsets.
const (
	edgeBytes        = 8
	generatorEdgeXtr = 24
	rowBytes         = 48
)

// expectedEdges is the (expected) number of connections a bipartite rule
// makes between nPre sources and nPost targets.
func expectedEdges(rule ConnRule, nPre, nPost int) float64 {
	pre, post := float64(nPre), float64(nPost)
	switch r := rule.(type) {
	case nil, AllToAll:
		return pre * post
	case OneToOne:
		return post
	case PairwiseBernoulli:
		if r.P >= 0 && r.P <= 1 {
			return r.P * pre * post
		}
	case FixedIndegree:
		return max(0, float64(r.Indegree)) * post
	}
	return 0
}

// total returns the estimate with a ring of ringLen slots.
func (m *memAccount) total(ringLen int64) float64 {
	return m.fixed + m.perSlot*float64(max(ringLen, 2))
}

// ringLenWith returns the ring length (steps) once a delay of d steps is
// registered.
func (k *Kernel) ringLenWith(d int64) int64 {
	lo, hi := k.minDelay, k.maxDelay
	if lo == 0 || d < lo {
		lo = d
	}
	return lo + max(hi, d)
}

// ringLenNow returns the ring length the current delays give.
func (k *Kernel) ringLenNow() int64 {
	if k.minDelay == 0 {
		return 2
	}
	return k.minDelay + k.maxDelay
}

// reserveNodes checks that n more nodes of model m fit the budget.
func (k *Kernel) reserveNodes(m Model, n int) error {
	fixed, ch := m.nodeBytes()
	add := float64(n) * (fixed + 8*ch*float64(k.ringLenNow()))
	return k.checkMemory(fmt.Sprintf("create %s: n = %d", m.ModelName(), n), k.mem.total(k.ringLenNow())+add, add)
}

// commitNodes adds n created nodes of model m to the estimate.
func (k *Kernel) commitNodes(m Model, n int) {
	fixed, ch := m.nodeBytes()
	k.mem.fixed += float64(n) * fixed
	k.mem.perSlot += float64(n) * 8 * ch
}

// reserveDelay checks that the ring buffers a delay of d steps requires
// fit the budget.
func (k *Kernel) reserveDelay(what string, d int64) error {
	now, with := k.mem.total(k.ringLenNow()), k.mem.total(k.ringLenWith(d))
	if with <= now {
		return nil
	}
	return k.checkMemory(fmt.Sprintf("%s: delay = %g ms (ring buffers of %d steps for every node)", what, k.stepsToMs(d), k.ringLenWith(d)),
		with, with-now)
}

// reserveEdges checks that about `edges` connections from sources in
// preBlocks fit the budget.
func (k *Kernel) reserveEdges(what string, preBlocks []nodeBlock, syn Synapse, edges float64) error {
	per := float64(edgeBytes)
	for _, b := range preBlocks {
		if _, ok := b.(connectionStreams); ok {
			per += generatorEdgeXtr
		}
	}
	add := edges*per + rowBytes*float64(len(k.nodes))
	return k.checkMemory(fmt.Sprintf("%s: ≈ %.4g connections", what, edges), k.mem.total(k.ringLenNow())+add, add)
}

// reserveTripartite checks that about `primary` primary connections, a
// fraction pThird of them paired with a third-factor node (two more
// connections each), fit the budget.
func (k *Kernel) reserveTripartite(what string, primary, pThird float64) error {
	if !(pThird >= 0) {
		pThird = 0
	}
	edges := primary * (1 + 2*min(pThird, 1))
	add := edges*edgeBytes + 3*rowBytes*float64(len(k.nodes))
	return k.checkMemory(fmt.Sprintf("%s: ≈ %.4g connections", what, edges), k.mem.total(k.ringLenNow())+add, add)
}

// commitEdges adds a registered projection to the estimate.
func (k *Kernel) commitEdges(p *projection) {
	per := float64(edgeBytes)
	if len(p.srcIDs) > 0 {
		if _, ok := k.blocks[k.nodes[p.srcIDs[0]-1].block].(connectionStreams); ok {
			per += generatorEdgeXtr
		}
	}
	k.mem.fixed += float64(p.count)*per + 4*float64(len(p.rowIdx)) + rowBytes*float64(len(p.srcIDs))
}

// Bytes per multimeter sample: its time stamp and sender, and 8 per value;
// sampleGrowth allows for the buffers' growth by appending (the old and
// the new array exist at once while one grows).
const (
	sampleBytes  = 12
	sampleGrowth = 2
)

// recordedBytes returns the bytes the recorders hold now.
func (k *Kernel) recordedBytes() float64 {
	var b float64
	for _, r := range k.spikeRecs {
		b += 4*float64(cap(r.senders)) + 8*float64(cap(r.stamps))
	}
	for _, tc := range k.tcs {
		for i := range tc.samples {
			s := &tc.samples[i]
			b += 8*float64(cap(s.stamps)) + 4*float64(cap(s.gids)) + 8*float64(cap(s.vals))
		}
	}
	return b
}

// checkRecordingMemory checks, before a Simulate of n steps (t ms), that
// the multimeter samples it will add fit the budget with everything else.
func (k *Kernel) checkRecordingMemory(t float64, n int64) error {
	if len(k.mms) == 0 {
		return nil
	}
	recorded := make([]float64, len(k.mms)) // nodes each multimeter records
	for _, b := range k.blocks {
		for _, subs := range b.base().subs {
			for _, mi := range subs {
				recorded[mi]++
			}
		}
	}
	var add, samples float64
	for mi, mm := range k.mms {
		// Samples are taken at stamps s in (now, now+n] that are multiples
		// of the interval and inside the window (tMin, tMax].
		lo, hi := max(k.step, mm.win.tMin), min(k.step+n, mm.win.tMax)
		if recorded[mi] == 0 || hi <= lo {
			continue
		}
		ns := float64(hi/mm.interval-lo/mm.interval) * recorded[mi]
		samples += ns
		add += ns * (sampleBytes + 8*float64(len(mm.recordFrom))) * sampleGrowth
	}
	if add == 0 {
		return nil
	}
	total := k.mem.total(k.ringLenNow()) + k.recordedBytes() + add
	return k.checkMemory(fmt.Sprintf("simulate: time = %g ms: the multimeters would record ≈ %.4g more samples "+
		"(record fewer nodes or quantities, at a longer interval or in a shorter window)", t, samples), total, add)
}

// checkPrepareMemory checks, before the first Simulate allocates the ring
// buffers and splits the connections, that the whole network fits.
func (k *Kernel) checkPrepareMemory() error {
	if k.prepared {
		return nil
	}
	t := k.mem.total(k.ringLenNow())
	return k.checkMemory("simulate: preparing the network", t, 0)
}

// checkMemory refuses work whose estimated total (bytes, of which add is
// this call's part) exceeds the budget.
func (k *Kernel) checkMemory(what string, total, add float64) error {
	if k.loadCheck != nil { // a kernel being loaded from a snapshot
		if err := k.loadCheck(what, total); err != nil {
			return err
		}
	}
	if k.memLimit == 0 && total < memCheckFloor && !math.IsNaN(total) {
		return nil
	}
	budget, source := k.MemoryBudget()
	if budget <= 0 || total <= float64(budget) {
		return nil
	}
	advice := "make the network smaller, or set KernelConfig.MemoryLimit if the machine really has more"
	if k.memLimit > 0 {
		advice = "make the network smaller or raise KernelConfig.MemoryLimit"
	}
	return fmt.Errorf("%s: would need ≈ %s of memory (this call ≈ %s, the network so far ≈ %s), more than the %s %s; %s",
		what, formatBytes(total), formatBytes(add), formatBytes(total-add), formatBytes(float64(budget)), source, advice)
}

// MemoryBudget returns the memory budget in bytes that Create, Connect and
// Simulate check their estimates against, and where it comes from:
// KernelConfig.MemoryLimit, or else the memory the machine had available
// when the kernel first grew beyond 64 MiB (Linux: MemAvailable of
// /proc/meminfo, or the cgroup's limit minus its usage if that is less),
// plus the kernel's own estimate and recordings at that moment. 0 means no budget is known
// (no limit set and no /proc/meminfo).
func (k *Kernel) MemoryBudget() (budget int64, source string) {
	if k.memLimit > 0 {
		return k.memLimit, "budget set by KernelConfig.MemoryLimit"
	}
	if k.mem.budget == 0 {
		avail, src := MachineMemory()
		if avail <= 0 {
			return 0, src
		}
		k.mem.budget = float64(avail) + k.mem.total(k.ringLenNow()) + k.recordedBytes()
		k.mem.source = src
	}
	return int64(k.mem.budget), k.mem.source
}

// MachineMemory returns the memory in bytes available to this process for
// new allocations: MemAvailable of /proc/meminfo, or the cgroup's memory
// limit minus its usage (cgroup v2 or v1) if that is less; source says
// which. It returns 0 where neither can be read.
func MachineMemory() (avail int64, source string) {
	source = "memory available on this machine (unknown)"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "MemAvailable:" {
				if kb, err := strconv.ParseInt(f[1], 10, 64); err == nil {
					avail, source = kb*1024, "memory available on this machine (MemAvailable in /proc/meminfo)"
				}
			}
		}
	}
	for _, c := range [][2]string{
		{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"},
		{"/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"},
	} {
		limit, ok1 := readInt(c[0])
		used, ok2 := readInt(c[1])
		if ok1 && ok2 && limit < 1<<60 {
			if free := max(limit-used, 0); avail == 0 || free < avail {
				avail, source = free, "memory left to this process's cgroup ("+c[0]+" minus usage)"
			}
			break
		}
	}
	return avail, source
}

// readInt reads a file holding one integer ("max" is not one).
func readInt(path string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return v, err == nil
}

// formatBytes formats a byte count with a binary unit.
func formatBytes(b float64) string {
	switch {
	case math.IsNaN(b) || math.IsInf(b, 0):
		return fmt.Sprintf("%g B", b)
	case b >= 1<<40:
		return fmt.Sprintf("%.3g TiB", b/(1<<40))
	case b >= 1<<30:
		return fmt.Sprintf("%.3g GiB", b/(1<<30))
	case b >= 1<<20:
		return fmt.Sprintf("%.3g MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.3g KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

// EstimateMemory returns the estimated memory in bytes of a network to be
// built in this kernel: nodes[i] nodes of models[i] and about `edges`
// connections, with ring buffers for a longest delay of maxDelay ms (the
// shortest is taken as the resolution). Packages that build whole networks
// (brunel) check a plan against MemoryBudget with it before creating
// anything.
func (k *Kernel) EstimateMemory(models []Model, nodes []int, edges, maxDelay float64) float64 {
	ring := 1 + math.Round(maxDelay/k.h)
	total := edges * edgeBytes
	for i, m := range models {
		fixed, ch := m.nodeBytes()
		total += float64(nodes[i]) * (fixed + 8*ch*ring)
	}
	return total
}

// CheckMemory returns an error, naming what and the figures, if a further
// `need` bytes (e.g. from EstimateMemory) would take the kernel's estimate
// beyond MemoryBudget.
func (k *Kernel) CheckMemory(what string, need float64) error {
	return k.checkMemory(what, k.mem.total(k.ringLenNow())+need, need)
}
