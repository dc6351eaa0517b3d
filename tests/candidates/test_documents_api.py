"""A candidate's files over the API: real PDFs, Word documents and files that must be refused."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Candidate, Document
from tests.candidates.conftest import Team
from tests.factories.candidates import (
    docx_bytes,
    elf_bytes,
    make_candidate,
    pdf_bytes,
    png_bytes,
    zip_bytes,
)
from tests.factories.organizations import make_organization


async def _documents(db: Database, candidate_id: uuid.UUID) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(Document)
        return int(await session.scalar(query.where(Document.candidate_id == candidate_id)) or 0)


async def _resume_text(db: Database, candidate_id: uuid.UUID) -> str:
    async with db.transaction() as session:
        candidate = await session.get(Candidate, candidate_id)
        assert candidate is not None
        return candidate.resume_text


async def test_pdf_resume_becomes_searchable_and_downloads(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        candidate = await make_candidate(session, team.org, full_name="Ada Lovelace")
    url = f"{team.api}/candidates/{candidate.id}/documents"
    data = pdf_bytes("Analytical engine programmer, fluent in Quaternionics.")
    response = await client.post(
        url, files={"file": ("../../ada cv.pdf", data, "image/png")}, data={"kind": "resume"}
    )
    assert response.status_code == 201, response.text
    document = response.json()
    assert document["content_type"] == "application/pdf"  # from the bytes, not the client
    assert document["filename"] == "ada cv.pdf"
    assert document["size_bytes"] == len(data)
    assert "Quaternionics" in await _resume_text(db, candidate.id)

    found = await client.get(f"{team.api}/candidates", params={"q": "quaternionics"})
    assert [c["id"] for c in found.json()["items"]] == [str(candidate.id)]

    listed = await client.get(url)
    assert [d["id"] for d in listed.json()] == [document["id"]]
    download = await client.get(f"{url}/{document['id']}")
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_newest_resume_wins_and_deleting_it_falls_back(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        candidate = await make_candidate(session, team.org)
    url = f"{team.api}/candidates/{candidate.id}/documents"
    first = await client.post(url, files={"file": ("old.docx", docx_bytes("Older Fortran resume"))})
    assert first.status_code == 201, first.text
    assert first.json()["content_type"].endswith("wordprocessingml.document")
    letter = await client.post(
        url, files={"file": ("letter.txt", b"Dear team")}, data={"kind": "cover_letter"}
    )
    assert letter.status_code == 201
    second = await client.post(url, files={"file": ("new.pdf", pdf_bytes("Newer Rust resume"))})
    assert second.status_code == 201
    assert "Rust" in await _resume_text(db, candidate.id)

    deleted = await client.delete(f"{url}/{second.json()['id']}")
    assert deleted.status_code == 204
    assert "Fortran" in await _resume_text(db, candidate.id)
    # A cover letter is never the resume.
    assert (await client.delete(f"{url}/{first.json()['id']}")).status_code == 204
    assert await _resume_text(db, candidate.id) == ""
    assert await _documents(db, candidate.id) == 1
    timeline = (await client.get(f"{team.api}/candidates/{candidate.id}/timeline")).json()
    assert [i["type"] for i in timeline["items"]][:2] == ["document_deleted", "document_deleted"]


async def test_refused_files_store_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        candidate = await make_candidate(session, team.org)
    url = f"{team.api}/candidates/{candidate.id}/documents"
    refused = [
        ("photo.pdf", png_bytes(), 422),
        ("resume.pdf", elf_bytes(), 422),
        ("resume.docx", zip_bytes(), 422),
        ("empty.txt", b"", 422),
        ("broken.pdf", b"%PDF-1.7\n" + b"garbage" * 50, 422),
        ("old.doc", bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 100, 422),
        ("huge.txt", b"a" * (10 * 1_048_576 + 1), 413),
    ]
    for name, data, status in refused:
        response = await client.post(url, files={"file": (name, data)})
        assert response.status_code == status, (name, response.text)
    bad_kind = await client.post(
        url, files={"file": ("cv.txt", b"fine text")}, data={"kind": "passport"}
    )
    assert bad_kind.status_code == 422
    no_file = await client.post(url, data={"kind": "resume"})
    assert no_file.status_code == 422
    assert await _documents(db, candidate.id) == 0
    assert await _resume_text(db, candidate.id) == ""


async def test_other_organizations_documents_are_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        stranger = await make_candidate(session, theirs)
        mine = await make_candidate(session, team.org)
    their_url = f"{team.api}/candidates/{stranger.id}/documents"
    upload = await client.post(their_url, files={"file": ("cv.txt", b"text")})
    assert upload.status_code == 404
    assert await _documents(db, stranger.id) == 0
    # Their document id under my candidate.
    await client.post(f"{team.api}/candidates/{mine.id}/documents", files={"file": ("a.txt", b"x")})
    async with db.transaction() as session:
        from hireflow.documents.inspect import inspect_document
        from hireflow.documents.service import store_document

        their_doc = await store_document(
            session,
            inspect_document("t.txt", b"theirs", max_bytes=100),
            kind="resume",
            organization_id=theirs.id,
            candidate_id=stranger.id,
        )
    for method in ("GET", "DELETE"):
        response = await client.request(
            method, f"{team.api}/candidates/{mine.id}/documents/{their_doc.id}"
        )
        assert response.status_code == 404
    assert await _documents(db, stranger.id) == 1
