"""Build the bundled sample article into an EPUB and a PDF through the Python API.

    python examples/build_sample.py [OUTPUT_FOLDER]
"""

import sys
from pathlib import Path

import deeplybook
from deeplybook.sample import sample_path


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "build")
    articles = deeplybook.read([sample_path()])
    edition = deeplybook.make_edition(
        articles,
        title="Syria Deeply: A Sample Edition",
        subtitle="One interview from the News Deeply archive",
        creators=["The deeplybook team"],
    )
    print(deeplybook.write_epub(edition, out / "sample.epub"))
    print(deeplybook.write_pdf(edition, out / "sample.pdf"))


# The PDF writer renders in worker processes, which import this script again.
if __name__ == "__main__":
    main()
