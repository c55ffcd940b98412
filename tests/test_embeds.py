"""Embedded media are printed as a note naming the service and the title, linked to a public page, never a player."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from factories import article

import deeplybook
from deeplybook import edition
from deeplybook.embeds import describe, note
from deeplybook.model import Embed, Paragraph
from deeplybook.writers.epub import write_epub

SAMPLE = Path(__file__).parent / "samples" / "lost-pictures"


@pytest.mark.parametrize(("address", "service", "kind", "page"), [
    ("https://player.vimeo.com/video/125132190?color=ff9933", "Vimeo", "video", "https://vimeo.com/125132190"),
    ("https://www.youtube.com/embed/-pfcp2FuGXc?version=3&rel=1", "YouTube", "video",
     "https://www.youtube.com/watch?v=-pfcp2FuGXc"),
    ("https://youtu.be/abc123", "YouTube", "video", "https://www.youtube.com/watch?v=abc123"),
    ("https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/339326577&color=ff5500",
     "SoundCloud", "audio", ""),
    ("https://cdn.embedly.com/widgets/media.html?src=https%3A%2F%2Fplayer.vimeo.com%2Fvideo%2F170621206"
     "&url=https%3A%2F%2Fvimeo.com%2F170621206&key=k", "Vimeo", "video", "https://vimeo.com/170621206"),
    ("https://cdn.embedly.com/widgets/media.html?src=x&url=https%3A%2F%2Fsoundcloud.com%2Fcouncil%2Fa-talk",
     "SoundCloud", "audio", "https://soundcloud.com/council/a-talk"),
    ("https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fpage%2Fvideos%2F18%2F"
     "&show_text=0", "Facebook", "video", "https://www.facebook.com/page/videos/18/"),
    ("https://twitter.com/someone/status/12345", "Twitter/X", "tweet", "https://twitter.com/someone/status/12345"),
    ("https://x.com/someone/status/12345", "Twitter/X", "tweet", "https://x.com/someone/status/12345"),
    ("https://www.google.com/maps/embed?pb=!1m18!1m12", "Google Maps", "map", ""),
    ("https://maps.google.com/maps?q=Aleppo&output=embed", "Google Maps", "map", "https://www.google.com/maps?q=Aleppo"),
    ("https://batchgeo.com/map/2745e641", "BatchGeo", "map", "https://batchgeo.com/map/2745e641"),
    ("http://launch.newsinc.com/?type=VideoPlayer&videoId=31067825", "launch.newsinc.com", "media",
     "http://launch.newsinc.com/?type=VideoPlayer&videoId=31067825"),
])
def test_each_service_is_named_and_its_player_turned_into_its_public_page(address, service, kind, page):
    assert describe(address) == describe(address, "media")
    media = describe(address)
    assert (media.service, media.kind, media.page) == (service, kind, page)


def test_a_title_that_only_repeats_the_service_is_dropped():
    made = note(Embed("media", "https://www.instagram.com/p/xyz/", "Instagram post"))
    assert (made.service, made.kind, made.title, made.url) == ("Instagram", "tweet", "", "https://www.instagram.com/p/xyz/")


def _book(tmp_path, language="en"):
    body = (Paragraph("Before the film."),
            Embed("video", "https://player.vimeo.com/video/125132190?color=ff9933", "This is Exile & After"),
            Embed("audio", "https://api.soundcloud.com/tracks/339326577"),
            Embed("tweet", "https://twitter.com/someone/status/12345", "The river is low again today"),
            Embed("media", "https://www.google.com/maps/embed?pb=!1m18"),
            Embed("video", "http://launch.newsinc.com/?type=VideoPlayer&videoId=31067825"))
    made = edition.make([article(1, body=body)], title="Media", language=language)
    epub = write_epub(made, tmp_path / f"media-{language}.epub")
    with zipfile.ZipFile(epub) as archive:
        return epub, archive.read("EPUB/story-1.xhtml").decode("utf-8")


def test_the_notes_name_service_and_title_and_link_the_public_page(tmp_path, epubcheck):
    epub, page = _book(tmp_path)
    notes = [line.strip() for line in page.splitlines() if 'class="embed' in line]
    assert notes == [
        '<p class="embed embed-video"><a href="https://vimeo.com/125132190">Video on Vimeo</a>: This is Exile &amp; After</p>',
        '<p class="embed embed-audio">Audio on SoundCloud</p>',
        '<p class="embed embed-tweet"><a href="https://twitter.com/someone/status/12345">Post on Twitter/X</a>: '
        "The river is low again today</p>",
        '<p class="embed embed-map">Map on Google Maps</p>',
        '<p class="embed embed-video"><a href="http://launch.newsinc.com/?type=VideoPlayer&amp;videoId=31067825">'
        "Video on launch.newsinc.com</a></p>",
    ]
    assert "player.vimeo.com" not in page and "color=" not in page and "api.soundcloud.com" not in page
    epubcheck(epub)


def test_the_notes_are_in_the_editions_language(tmp_path):
    _, page = _book(tmp_path, "fr")
    assert '<a href="https://vimeo.com/125132190">Vidéo sur Vimeo</a> : This is Exile &amp; After' in page
    assert "Audio sur SoundCloud" in page and "Carte sur Google Maps" in page


def test_a_news_deeply_player_becomes_a_note_with_the_frames_title(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "in")
    [read] = deeplybook.read([tmp_path / "in"])
    made = edition.make([read], title="Orchard")
    [embed] = [b for b in made.articles[0].body if isinstance(b, Embed)]
    assert embed == Embed("video", "https://vimeo.com/123456789", "Spring in the orchard", "Vimeo")
