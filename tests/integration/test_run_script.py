"""The README's first command, `scripts/run.sh`, with the built binary (SLUICE_BIN, so that
it neither installs nor builds): it starts the demo server, streams the generated trips
into `taxi-trips`, keeps the server up, and takes it down on Ctrl-C."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import unittest

from test_produce import SUMMARY

RUN_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/run.sh")
ENDPOINT = re.compile(r"^sluice: listening on http://127\.0\.0\.1:(\d+)$")


def port_open(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


class RunScriptTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="sluice-run-")
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def test_streams_the_trips_into_the_demo_stream_and_stops_on_ctrl_c(self):
        run = subprocess.Popen(["bash", RUN_SH, "--listen", "127.0.0.1:0"], cwd=self.folder,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
        self.addCleanup(lambda: run.poll() is None and os.killpg(run.pid, signal.SIGKILL))
        lines = []
        for line in run.stdout:  # until the script says the trips are in (or it ends)
            lines.append(line.rstrip("\n"))
            if line.startswith("run.sh: trips in"):
                break
        output = "\n".join(lines)
        ports = [int(m.group(1)) for m in map(ENDPOINT.match, lines) if m]
        summaries = [m for m in map(SUMMARY.match, lines) if m]
        self.assertEqual(len(ports), 1, output)
        self.assertEqual(len(summaries), 1, output)
        rows, put, stream, failed, malformed, _ = summaries[0].groups()
        self.assertEqual((int(rows), stream, int(failed)), (100000, "taxi-trips", 0), output)
        self.assertEqual(int(put) + int(malformed), 100000)
        self.assertGreater(int(malformed), 0)  # the generator's bad rows, rejected
        self.assertTrue(port_open(ports[0]), "the server should keep running")
        self.assertTrue(os.path.isdir(os.path.join(self.folder, "sluice-data")))
        work = re.match(r"run\.sh: trips in (\S+)/trips\.csv,", lines[-1])
        self.assertIsNotNone(work, lines[-1])
        self.assertTrue(os.path.isfile(os.path.join(work.group(1), "trips.csv")), lines[-1])

        os.killpg(run.pid, signal.SIGINT)
        run.communicate(timeout=60)
        self.assertFalse(port_open(ports[0]), "Ctrl-C should stop the server")
        self.assertFalse(os.path.exists(work.group(1)),
                         "the generated trips should go with the script")


if __name__ == "__main__":
    unittest.main()
