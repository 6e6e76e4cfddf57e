"""Small interchanges built in code, with trailers counted, for the EDI tests."""

from __future__ import annotations


def x12_850(
    po: str = "PO-1001",
    control: int = 5,
    lines: tuple[tuple[str, str, str, str], ...] = (
        ("10", "12.50", "VN", "SKU-1"),
        ("3", "4", "BP", "B-77"),
    ),
    *,
    set_control: str = "0001",
) -> list[str]:
    """Segments (without terminators) of one 850 set, ST..SE with SE01 counted."""
    body = [
        f"ST*850*{set_control}",
        f"BEG*00*SA*{po}**20261001",
        "CUR*BY*USD",
        "REF*DP*042",
        "N1*BY*Acme Stores*92*ACME",
        "N1*ST*Store 42*92*0042",
        "N3*1 Main St",
        "N4*Springfield*IL*62701*US",
        "TD5****M*UPS Ground",
    ]
    qty_total = 0
    for n, (qty, price, qual, item) in enumerate(lines, start=1):
        body.append(f"PO1*{n}*{qty}*EA*{price}*PE*{qual}*{item}")
        body.append(f"PID*F****Item {n}")
        qty_total += int(qty) if qty.isdigit() else 0
    body.append(f"CTT*{len(lines)}*{qty_total}")
    body.append(f"SE*{len(body) + 1}*{set_control}")
    return body


def x12_846(
    set_control: str = "0001", items: tuple[tuple[str, str], ...] = (("SKU-1", "40"),)
) -> list[str]:
    """One 846 set: a warehouse's on-hand quantities."""
    body = [
        f"ST*846*{set_control}",
        "BIA*00*SI*INV-7*20261002",
        "DTM*405*20261002*0630",
        "N1*WH*Main DC*92*WH1",
    ]
    for n, (sku, qty) in enumerate(items, start=1):
        body += [f"LIN*{n}*SK*{sku}", f"QTY*33*{qty}*EA"]
    body += [f"CTT*{len(items)}", f"SE*{len(body) + 2}*{set_control}"]
    return body


def x12_945(
    order: str = "edi:ACMESTORES:PO-1001",
    shipment: str = "SH-1",
    items: tuple[tuple[str, str, str], ...] = (("SKU-1", "10", "10"), ("SKU-2", "3", "2")),
    *,
    set_control: str = "0001",
    ship_date: str = "20261003",
    warehouse: str = "WHSE01",
    w03: str | None = None,
) -> list[str]:
    """One 945 set: (sku, ordered, shipped) per W12 line; W03 = sum shipped unless given."""
    body = [
        f"ST*945*{set_control}",
        f"W06*N*{order}*{ship_date}*{shipment}**PO-1001",
        f"N1*SF*West DC*92*{warehouse}",
        "N1*ST*Store 42*92*0042",
        f"G62*11*{ship_date}*8*1432",
        "W27*M*UPSN*UPS Ground",
    ]
    total = 0
    for n, (sku, ordered, shipped) in enumerate(items, start=1):
        status = "CC" if ordered == shipped else "CP"
        body += [f"LX*{n}", f"W12*{status}*{ordered}*{shipped}*0*EA**VN*{sku}"]
        total += int(shipped) if shipped.isdigit() else 0
    body.append(f"W03*{w03 if w03 is not None else total}*12.5*LB")
    body.append(f"SE*{len(body) + 1}*{set_control}")
    return body


def x12_interchange(
    groups: list[tuple[str, list[list[str]]]],
    *,
    control: str = "000000101",
    sender: str = "BUYER1",
    element: str = "*",
    component: str = ">",
    terminator: str = "~",
) -> bytes:
    """ISA + GS groups (functional id, sets) + IEA, with the given separators."""
    isa = (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{'OMSHUB':<15}*261001*1200*U*00401*"
        f"{control}*0*P*{component}"
    )
    segments = [isa]
    for n, (functional_id, sets) in enumerate(groups, start=1):
        segments.append(f"GS*{functional_id}*{sender}*OMSHUB*20261001*1200*{n}*X*004010")
        for s in sets:
            segments += s
        segments.append(f"GE*{len(sets)}*{n}")
    segments.append(f"IEA*{len(groups)}*{control}")
    text = terminator.join(s.replace("*", element) for s in segments)
    return (text + terminator).encode()


def edifact_orders(
    *,
    una: str | None = "UNA:+.? '",
    reference: str = "REF1",
    order: str = "PO77",
    lines: tuple[tuple[str, str, str], ...] = (("4000862141404", "4", "12.50"),),
    decimal: str = ".",
) -> bytes:
    """One ORDERS interchange; counts and totals computed."""
    msg = [
        "UNH+1+ORDERS:D:96A:UN",
        f"BGM+220+{order}+9",
        "DTM+137:20261001:102",
        "CUX+2:EUR:9",
        "NAD+BY+5412345000013::9++Acme GmbH+Hauptstr. 1+Berlin++10115+DE",
    ]
    total = 0.0
    for n, (gtin, qty, price) in enumerate(lines, start=1):
        amount = float(qty) * float(price)
        total += amount
        msg += [
            f"LIN+{n}++{gtin}:EN",
            f"QTY+21:{qty}:PCE",
            f"PRI+AAA:{price.replace('.', decimal)}",
            f"MOA+203:{f'{amount:.2f}'.replace('.', decimal)}",
        ]
    msg += ["UNS+S", f"MOA+79:{f'{total:.2f}'.replace('.', decimal)}", f"CNT+2:{len(lines)}"]
    msg.append(f"UNT+{len(msg) + 1}+1")
    segs = [
        "UNB+UNOC:3+5412345000013:14+OMSHUB:ZZ+261001:1200+" + reference,
        *msg,
        f"UNZ+1+{reference}",
    ]
    return ((una or "") + "'".join(segs) + "'").encode()
