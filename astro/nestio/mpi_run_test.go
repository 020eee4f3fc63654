package nestio

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This test runs the exported full example under MPI when mpirun and a NEST
// 3.8 built with MPI are available: NEST is found as in nest_run_test.go
// ($NESTIO_PYTHON, $NESTIO_PYTHONPATH), mpirun on PATH or as
// $NESTIO_MPIRUN (Open MPI's options are passed). Otherwise it skips.

// mpiNEST skips the test unless mpirun exists and the NEST that py imports
// was built with MPI. It returns the command line that starts np processes
// of py: Open MPI's mpirun kept on this machine (shared memory between the
// ranks, the loopback interface for its own messages), processes not bound
// to cores (so one process may run two threads), and allowed to run as root.
func mpiNEST(t *testing.T, py string, env []string) func(np int) []string {
	t.Helper()
	mpirun, err := exec.LookPath(cmp.Or(os.Getenv("NESTIO_MPIRUN"), "mpirun"))
	if err != nil {
		t.Skip("mpirun is not installed (Debian: openmpi-bin; or set NESTIO_MPIRUN)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-c", `import nest; print("have_mpi", nest.ll_api.sli_func("statusdict /have_mpi get"))`)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("asking NEST whether it has MPI: %v\n%s", err, out)
	}
	if got := lastLine(string(out)); got != "have_mpi True" {
		t.Skipf("the NEST 3.8 that %s imports was built without MPI (cmake -Dwith-mpi=ON): %q", py, got)
	}
	return func(np int) []string {
		args := []string{mpirun, "-np", strconv.Itoa(np), "--oversubscribe", "--bind-to", "none",
			"--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo"}
		if os.Geteuid() == 0 {
			args = append(args, "--allow-run-as-root")
		}
		return append(args, py)
	}
}

// TestNESTFullExampleMPI runs the exported full example, written for
// total_num_virtual_procs 2, in NEST 3.8 under MPI as 2 processes of 1
// thread and as 1 process of 2 threads, reads the per-process files back and
// checks both against the bands of astro/brunel's network test
// (checkFullExampleBands). NEST's random streams depend on the number of
// virtual processes only, so the two runs must also record the same spikes
// and traces. Minutes of CPU: run it with -timeout 120m.
func TestNESTFullExampleMPI(t *testing.T) {
	if testing.Short() {
		t.Skip("full-scale NEST runs under mpirun")
	}
	py, env := nest38(t)
	launch := mpiNEST(t, py, env)
	script := fullExampleScript(t, func(o *Options) { o.TotalVPs = 2 })
	var runs []fullExampleFigures
	for _, np := range []int{2, 1} {
		t.Run(fmt.Sprintf("np%d", np), func(t *testing.T) {
			dir := t.TempDir()
			out := runNESTWith(t, launch(np), env, script, dir, 50*time.Minute)
			// Rank 0 alone prints where the files are: a second line
			// means the processes did not form one MPI job.
			if n := strings.Count(out, "recordings in"); n != 1 {
				t.Fatalf("%d processes reported rank 0 (not one MPI job of %d processes):\n%s", n, np, out)
			}
			for _, label := range []string{"sr", "mm_neuron", "mm_astro"} {
				files, err := Files(dir, label)
				if err != nil {
					t.Fatal(err)
				}
				var vps []string
				for _, f := range files {
					base := strings.TrimSuffix(filepath.Base(f), ".dat")
					vps = append(vps, base[strings.LastIndexByte(base, '-')+1:])
				}
				if !slices.Equal(vps, []string{"0", "1"}) {
					t.Fatalf("%s: files of virtual processes %v, want [0 1]", label, vps)
				}
			}
			runs = append(runs, checkFullExampleBands(t, fmt.Sprintf("mpirun -np %d, 2 virtual processes", np), dir))
		})
	}
	if len(runs) != 2 {
		return
	}
	a, b := runs[0], runs[1]
	if !slices.Equal(a.spikes.Senders, b.spikes.Senders) || !slices.Equal(a.spikes.Times, b.spikes.Times) {
		t.Errorf("2 processes × 1 thread recorded %d spikes, 1 process × 2 threads %d, not the same ones",
			len(a.spikes.Times), len(b.spikes.Times))
	}
	for _, c := range []struct {
		name string
		x, y map[string][]float64
	}{{"mm_neuron", a.mmN.Values, b.mmN.Values}, {"mm_astro", a.mmA.Values, b.mmA.Values}} {
		for name, xs := range c.x {
			if !slices.Equal(xs, c.y[name]) {
				t.Errorf("%s %s: the two runs recorded different values", c.name, name)
			}
		}
	}
}
