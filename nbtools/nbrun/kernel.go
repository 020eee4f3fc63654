package nbrun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"
)

// connectionInfo is the Jupyter connection file.
type connectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	IOPubPort       int    `json:"iopub_port"`
	StdinPort       int    `json:"stdin_port"`
	ControlPort     int    `json:"control_port"`
	HBPort          int    `json:"hb_port"`
	SignatureScheme string `json:"signature_scheme"`
	Key             string `json:"key"`
	KernelName      string `json:"kernel_name"`
}

// kernelSpec is the part of a Jupyter kernel.json the runner uses.
type kernelSpec struct {
	Argv []string          `json:"argv"`
	Env  map[string]string `json:"env"`
}

// readKernelSpec reads dir/kernel.json.
func readKernelSpec(dir string) (*kernelSpec, error) {
	data, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return nil, fmt.Errorf("reading kernelspec: %w", err)
	}
	var ks kernelSpec
	if err := json.Unmarshal(data, &ks); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", filepath.Join(dir, "kernel.json"), err)
	}
	if len(ks.Argv) == 0 {
		return nil, fmt.Errorf("%s: empty argv", filepath.Join(dir, "kernel.json"))
	}
	return &ks, nil
}

// GonbCommand returns the kernel command line for a GoNB binary, to be used
// as [Options.KernelCmd]: compile errors are reported as plain text.
func GonbCommand(gonbBin string) []string {
	return []string{gonbBin, "--kernel", "{connection_file}", "--raw_error", "--logtostderr"}
}

// freePorts returns n distinct free TCP ports on 127.0.0.1. The ports are
// released before returning, as Jupyter does, so there is a small window in
// which another process could take them.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tailBuffer keeps the last max bytes written to it; it is safe for
// concurrent use.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(bytes.TrimSpace(t.buf))
}

// kernel is a running kernel process with the client sockets connected to it.
type kernel struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited.
	waitErr error         // valid after exited is closed.
	stderr  *tailBuffer   // tail of the kernel's stdout+stderr.
	tmpDir  string        // private (0700): the connection file and the kernel's TMPDIR.

	// watchdog ends the kernel's process group and removes tmpDir if the
	// runner dies without closing the kernel (see startWatchdog); the
	// runner holds the write end of its pipe, watchdogPipe.
	watchdog     *exec.Cmd
	watchdogPipe *os.File

	codec               codec
	shell, iopub, stdin zmq4.Socket
	cancelSockets       context.CancelFunc
	shellMsgs           chan *message
	iopubMsgs           chan *message
	stdinMsgs           chan *message // input_request: the kernel asks for input
	stopReaders         chan struct{}
	readers             sync.WaitGroup
	closeOnce           sync.Once
}

// kernelConfig describes how to start a kernel.
type kernelConfig struct {
	argv    []string          // with "{connection_file}" placeholder.
	env     map[string]string // kernelspec env, ${VAR} is expanded.
	extra   []string          // extra KEY=VALUE entries.
	path    []string          // directories prepended to PATH.
	dir     string            // working directory.
	log     io.Writer         // receives the kernel's output; may be nil.
	timeout time.Duration     // for the kernel to accept connections.
}

// buildEnv returns the kernel's environment: the current one, PATH
// prepended with path, then the kernelspec env (with ${VAR} substitution
// like jupyter_client) and extra.
func buildEnv(base []string, path []string, spec map[string]string, extra []string) []string {
	env := map[string]string{}
	var order []string
	set := func(kv string) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return
		}
		if _, seen := env[k]; !seen {
			order = append(order, k)
		}
		env[k] = v
	}
	for _, kv := range base {
		set(kv)
	}
	if len(path) > 0 {
		p := strings.Join(path, string(os.PathListSeparator))
		if old := env["PATH"]; old != "" {
			p += string(os.PathListSeparator) + old
		}
		set("PATH=" + p)
	}
	// Kernelspec values are expanded against the environment built so far.
	expanded := map[string]string{}
	for k, v := range spec {
		expanded[k] = os.Expand(v, func(name string) string { return env[name] })
	}
	for k, v := range expanded {
		set(k + "=" + v)
	}
	for _, kv := range extra {
		set(kv)
	}
	out := make([]string, 0, len(order))
	for _, k := range order {
		out = append(out, k+"="+env[k])
	}
	return out
}

// startKernel writes a connection file, starts the kernel process in its own
// process group and connects the shell and iopub sockets.
func startKernel(ctx context.Context, cfg kernelConfig) (_ *kernel, err error) {
	ports, err := freePorts(5)
	if err != nil {
		return nil, fmt.Errorf("allocating ports: %w", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	ci := connectionInfo{
		Transport: "tcp", IP: "127.0.0.1",
		ShellPort: ports[0], IOPubPort: ports[1], StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4],
		SignatureScheme: "hmac-sha256", Key: hex.EncodeToString(key), KernelName: "gonb",
	}
	// A private folder (0700) for the connection file, which holds the
	// HMAC key, and for everything the kernel puts in its TMPDIR (GoNB's
	// gonb_* folder with the cell programs and Cached results, go build's
	// work folders): removing it on close removes all of it, also after
	// the kernel was killed and could not clean up itself.
	tmpDir, err := os.MkdirTemp("", "nbrun-")
	if err != nil {
		return nil, err
	}
	kernelTmp := filepath.Join(tmpDir, "tmp")
	if err := os.Mkdir(kernelTmp, 0o700); err != nil {
		os.RemoveAll(tmpDir)
		return nil, err
	}
	connFile := filepath.Join(tmpDir, "kernel.json")
	data, _ := json.Marshal(ci) // cannot fail: plain struct.
	if err := os.WriteFile(connFile, data, 0o600); err != nil {
		os.RemoveAll(tmpDir)
		return nil, err
	}

	argv := make([]string, len(cfg.argv))
	for i, a := range cfg.argv {
		argv[i] = strings.ReplaceAll(a, "{connection_file}", connFile)
	}
	k := &kernel{
		exited:      make(chan struct{}),
		stderr:      &tailBuffer{max: 16 << 10},
		tmpDir:      tmpDir,
		codec:       codec{key: []byte(ci.Key), session: newID()},
		shellMsgs:   make(chan *message, 64),
		iopubMsgs:   make(chan *message, 1024),
		stdinMsgs:   make(chan *message, 16),
		stopReaders: make(chan struct{}),
	}
	var out io.Writer = k.stderr
	if cfg.log != nil {
		out = io.MultiWriter(k.stderr, cfg.log)
	}
	// The marker comes last: no entry of Env may override it.
	env := buildEnv(os.Environ(), cfg.path, cfg.env, append(append([]string{"TMPDIR=" + kernelTmp}, cfg.extra...), markerEnv+"="+tmpDir))
	// Resolve argv[0] against the kernel's PATH, not ours.
	if !strings.ContainsRune(argv[0], os.PathSeparator) {
		for _, kv := range env {
			if p, ok := strings.CutPrefix(kv, "PATH="); ok {
				if found := lookPathIn(argv[0], p); found != "" {
					argv[0] = found
				}
			}
		}
	}
	k.cmd = exec.Command(argv[0], argv[1:]...)
	k.cmd.Dir = cfg.dir
	k.cmd.Env = env
	k.cmd.Stdout, k.cmd.Stderr = out, out
	// Its own process group, so that closing it ends the cell programs and
	// builds GoNB started too; SIGKILL when the runner dies.
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	setDeathSignal(k.cmd.SysProcAttr)
	if err := k.cmd.Start(); err != nil {
		os.RemoveAll(tmpDir)
		return nil, fmt.Errorf("starting kernel %q: %w", argv[0], err)
	}
	go func() {
		k.waitErr = k.cmd.Wait()
		close(k.exited)
	}()
	defer func() {
		if err != nil {
			k.close(0)
		}
	}()
	if err := k.startWatchdog(); err != nil {
		return nil, fmt.Errorf("starting the kernel's watchdog: %w", err)
	}

	// The sockets get their own context: they must outlive ctx to send
	// shutdown_request after a cancellation.
	sockCtx, cancel := context.WithCancel(context.Background())
	k.cancelSockets = cancel
	zlog := log.New(k.stderr, "zmq4: ", 0)
	// The shell and stdin sockets share one identity, as in Jupyter's
	// clients: the kernel's stdin ROUTER sends an input_request to the
	// identity that sent the execute_request.
	id := zmq4.WithID(zmq4.SocketIdentity(k.codec.session))
	k.shell = zmq4.NewDealer(sockCtx, zmq4.WithLogger(zlog), zmq4.WithDialerMaxRetries(0), zmq4.WithTimeout(10*time.Second), id)
	k.stdin = zmq4.NewDealer(sockCtx, zmq4.WithLogger(zlog), zmq4.WithDialerMaxRetries(0), zmq4.WithTimeout(10*time.Second), id)
	k.iopub = zmq4.NewSub(sockCtx, zmq4.WithLogger(zlog), zmq4.WithDialerMaxRetries(0), zmq4.WithTimeout(10*time.Second))
	endpoint := func(port int) string { return fmt.Sprintf("tcp://%s:%d", ci.IP, port) }
	deadline := time.Now().Add(cfg.timeout)
	for _, c := range []struct {
		sock zmq4.Socket
		port int
	}{{k.iopub, ci.IOPubPort}, {k.shell, ci.ShellPort}, {k.stdin, ci.StdinPort}} {
		if err := k.dial(ctx, c.sock, endpoint(c.port), deadline); err != nil {
			return nil, err
		}
	}
	if err := k.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return nil, fmt.Errorf("subscribing to iopub: %w", err)
	}
	k.readers.Add(3)
	go k.readLoop(k.shell, k.shellMsgs)
	go k.readLoop(k.iopub, k.iopubMsgs)
	go k.readLoop(k.stdin, k.stdinMsgs)
	return k, nil
}

// watchdogScript runs in its own process group with the read end of a pipe
// as fd 3, whose write end only the runner holds. read returns when that end
// is closed: when the runner closes it or dies, SIGKILL included. Then it
// kills the kernel's process group ($1) and every process marked with the
// kernel's markerEnv ($3=$2: GoNB's gopls, in a group of its own), and
// removes the runner's private folder ($2); once more a second later for
// anything that was dying.
const watchdogScript = `read _ <&3
marked() {
	for e in $(grep -lzxF -- "$3=$2" /proc/[0-9]*/environ 2>/dev/null); do
		p=${e#/proc/}; kill -KILL "${p%/environ}" 2>/dev/null
	done
}
kill -KILL -"$1" 2>/dev/null
marked "$@"
rm -rf -- "$2"
sleep 1
kill -KILL -"$1" 2>/dev/null
marked "$@"
rm -rf -- "$2"`

// startWatchdog starts the process that cleans up after a runner that dies
// without closing the kernel (Pdeathsig ends only the kernel process itself,
// not the cell program it started, and removes no files).
func (k *kernel) startWatchdog() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", watchdogScript, "nbrun-watchdog", strconv.Itoa(k.cmd.Process.Pid), k.tmpDir, markerEnv)
	cmd.ExtraFiles = []*os.File{r}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return err
	}
	k.watchdog, k.watchdogPipe = cmd, w
	return nil
}

// stopWatchdog ends the watchdog after a normal close.
func (k *kernel) stopWatchdog() {
	if k.watchdog == nil {
		return
	}
	_ = syscall.Kill(-k.watchdog.Process.Pid, syscall.SIGKILL)
	_ = k.watchdog.Wait()
	k.watchdogPipe.Close()
}

// lookPathIn finds an executable named file in the directories of path.
func lookPathIn(file, path string) string {
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, file)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// dial connects sock to endpoint, retrying until the kernel listens, the
// kernel exits, ctx is done or the deadline passes.
func (k *kernel) dial(ctx context.Context, sock zmq4.Socket, endpoint string, deadline time.Time) error {
	for {
		err := sock.Dial(endpoint)
		if err == nil {
			return nil
		}
		select {
		case <-k.exited:
			return fmt.Errorf("kernel exited during start-up (%v): %s", k.waitErr, k.stderr.String())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("kernel did not accept connections on %s: %w", endpoint, err)
		}
	}
}

// readLoop decodes messages from sock into ch until the socket is closed.
func (k *kernel) readLoop(sock zmq4.Socket, ch chan<- *message) {
	defer k.readers.Done()
	for {
		zm, err := sock.Recv()
		if err != nil {
			return
		}
		m, err := k.codec.decode(zm.Frames)
		if err != nil {
			fmt.Fprintf(k.stderr, "nbrun: dropping message: %v\n", err)
			continue
		}
		select {
		case ch <- m:
		case <-k.stopReaders:
			return
		}
	}
}

// send sends a request on the shell socket and returns its msg_id.
func (k *kernel) send(msgType string, content any) (string, error) {
	return k.sendOn(k.shell, msgType, content, nil)
}

// sendOn sends a message on sock, in reply to parent if not nil, and
// returns its msg_id.
func (k *kernel) sendOn(sock zmq4.Socket, msgType string, content any, parent *header) (string, error) {
	m, err := k.codec.newMessage(msgType, content)
	if err != nil {
		return "", err
	}
	if parent != nil {
		m.Parent = *parent
	}
	frames, err := k.codec.encode(m)
	if err != nil {
		return "", err
	}
	if err := sock.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
		return "", fmt.Errorf("sending %s: %w", msgType, err)
	}
	return m.Header.MsgID, nil
}

// exitError describes an unexpected kernel exit.
func (k *kernel) exitError() error {
	return fmt.Errorf("kernel exited unexpectedly (%v); kernel output:\n%s", k.waitErr, k.stderr.String())
}

// close shuts the kernel down: shutdown_request on the shell socket (GoNB
// answers there), up to grace for the process to exit, then SIGTERM and
// SIGKILL to its process group, which also ends cell programs GoNB started.
// Sockets are closed, reader goroutines stopped, the watchdog stopped and
// the private folder (connection file, the kernel's TMPDIR with GoNB's
// gonb_* folder) removed. Grace 0 kills at once. Only the first call has an
// effect.
func (k *kernel) close(grace time.Duration) {
	k.closeOnce.Do(func() { k.doClose(grace) })
}

func (k *kernel) doClose(grace time.Duration) {
	select {
	case <-k.exited:
	default:
		if grace > 0 && k.shell != nil {
			_, _ = k.send("shutdown_request", map[string]any{"restart": false})
			select {
			case <-k.exited:
			case <-time.After(grace):
			}
		}
	}
	pgid := k.cmd.Process.Pid
	select {
	case <-k.exited:
	default:
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-k.exited:
		case <-time.After(2 * time.Second):
		}
	}
	// Kill what is left in the group (e.g. a cell program GoNB did not stop)
	// and wait, briefly, until the group is gone.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-k.exited
	// And every process the kernel started outside its group (gopls),
	// found by the marker in its environment.
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); {
		left := killMarked(k.tmpDir)
		if err := syscall.Kill(-pgid, 0); errors.Is(err, syscall.ESRCH) && !left {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}

	close(k.stopReaders)
	if k.cancelSockets != nil {
		k.cancelSockets()
	}
	for _, s := range []zmq4.Socket{k.shell, k.iopub, k.stdin} {
		if s != nil {
			s.Close()
		}
	}
	k.readers.Wait()
	k.stopWatchdog()
	os.RemoveAll(k.tmpDir)
}
