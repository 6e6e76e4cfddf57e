"""Words the world is made of: product names per category, people's names."""

from __future__ import annotations

#: category -> (materials/adjectives, nouns, suffixes, (min price $, max price $)).
#: A product name is ``"<material> <noun>"`` plus optionally ``" - <color>"`` and a
#: suffix; suffixes with inch marks give names that need CSV quoting (``, 10"``).
# fmt: off
CATEGORIES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[int, int]]] = {
    "Apparel": (
        ("Merino", "Organic Cotton", "Linen", "Fleece", "Denim", "Cashmere", "Flannel",
         "Bamboo"),
        ("Crew Sock", "T-Shirt", "Hoodie", "Overshirt", "Chino", "Beanie", "Cardigan",
         "Scarf", "Polo", "Rain Jacket"),
        (", Size S", ", Size M", ", Size L", ", Size XL"),
        (15, 150),
    ),
    "Footwear": (
        ("Leather", "Suede", "Canvas", "Knit", "Waxed", "Vegan Leather", "Trail", "Court"),
        ("Sneaker", "Chelsea Boot", "Loafer", "Slipper", "Sandal", "Hiking Boot",
         "Running Shoe", "Derby", "Clog", "Espadrille"),
        (", Size 7", ", Size 8", ", Size 9", ", Size 10"),
        (45, 220),
    ),
    "Home": (
        ("Stoneware", "Walnut", "Linen", "Wool", "Rattan", "Marble", "Brass", "Cedar"),
        ("Throw Blanket", "Picture Frame", "Table Lamp", "Vase", "Candle", "Cushion Cover",
         "Wall Clock", "Bath Towel", "Doormat", "Storage Basket"),
        (', 5"x7"', ', 8"x10"', ', 12"', ', 18"'),
        (12, 180),
    ),
    "Kitchen": (
        ("Cast Iron", "Stainless", "Enamel", "Bamboo", "Copper", "Carbon Steel", "Ceramic",
         "Glass"),
        ("Skillet", "Dutch Oven", "Chef's Knife", "Cutting Board", "Mixing Bowl",
         "Tea Kettle", "Colander", "Spatula", "Pour-Over Set", "Measuring Cups"),
        (', 8"', ', 10"', ', 12"', ", Set of 3"),
        (8, 250),
    ),
    "Beauty": (
        ("Lavender", "Rosehip", "Charcoal", "Shea", "Vitamin C", "Sea Salt", "Oat",
         "Eucalyptus"),
        ("Face Serum", "Hand Cream", "Lip Balm", "Body Wash", "Shampoo", "Conditioner",
         "Bar Soap", "Face Mask", "Body Oil", "Dry Shampoo"),
        (", 1 oz", ", 2 oz", ", 8 oz", ', "Travel" Size'),
        (6, 60),
    ),
    "Toys": (
        ("Wooden", "Plush", "Magnetic", "Build-Your-Own", "Glow", "Mini", "Classic",
         "Rainbow"),
        ("Train Set", "Bear", "Puzzle", "Block Set", "Kite", "Yo-Yo", "Dinosaur",
         "Robot Kit", "Marble Run", "Card Game"),
        (", Ages 3+", ", Ages 6+", ", Ages 8+", ', 12" Tall'),
        (8, 90),
    ),
    "Outdoor": (
        ("Ultralight", "Insulated", "Packable", "Waterproof", "Solar", "Folding", "Ripstop",
         "Trekking"),
        ("Tent", "Sleeping Bag", "Water Bottle", "Headlamp", "Camp Chair", "Daypack",
         "Hammock", "Cooler", "Trekking Poles", "Lantern"),
        (", 1-Person", ", 2-Person", ", 20 oz", ", 40 oz"),
        (15, 400),
    ),
    "Electronics": (
        ("Wireless", "Bluetooth", "USB-C", "Noise-Cancelling", "Smart", "Portable",
         "Fast-Charge", "Compact"),
        ("Earbuds", "Speaker", "Charger", "Power Bank", "Headphones", "Cable",
         "Monitor Stand", "Webcam", "Keyboard", "Desk Lamp"),
        (', 6"', ', 24"', ', 27"', ", 2-Pack"),
        (10, 350),
    ),
}

COLORS: tuple[str, ...] = (
    "Charcoal", "Navy", "Oat", "Forest", "Rust", "Sand", "Black", "White", "Slate", "Sage",
)

#: First names and the nickname people also go by ("" when there is none in common use).
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Robert", "Bob"), ("William", "Bill"), ("Elizabeth", "Liz"), ("Katherine", "Kate"),
    ("Michael", "Mike"), ("Jennifer", "Jen"), ("James", "Jim"), ("Margaret", "Peggy"),
    ("Richard", "Rick"), ("Patricia", "Pat"), ("Joseph", "Joe"), ("Christopher", "Chris"),
    ("Daniel", "Dan"), ("Matthew", "Matt"), ("Anthony", "Tony"), ("Jessica", "Jess"),
    ("Samantha", "Sam"), ("Alexander", "Alex"), ("Nicholas", "Nick"), ("Rebecca", "Becky"),
    ("Thomas", "Tom"), ("Stephanie", "Steph"), ("Benjamin", "Ben"), ("Victoria", "Vicky"),
    ("Jonathan", "Jon"), ("Deborah", "Deb"), ("Timothy", "Tim"), ("Andrew", "Andy"),
    ("Susan", "Sue"), ("Edward", "Ed"), ("Kimberly", "Kim"), ("Gregory", "Greg"),
    ("Jacqueline", "Jackie"), ("Zachary", "Zach"), ("Abigail", "Abby"), ("Theodore", "Ted"),
    ("Madeline", "Maddie"), ("Nathaniel", "Nate"), ("Charlotte", "Charlie"),
    ("Frederick", "Fred"), ("Maria", ""), ("José", ""), ("Wei", ""), ("Priya", ""),
    ("Aisha", ""), ("Carlos", ""), ("Mei", ""), ("Omar", ""), ("Sofia", ""), ("Luis", ""),
    ("Fatima", ""), ("Hiroshi", ""), ("Olga", ""), ("Kwame", ""), ("Ana", ""), ("Diego", ""),
    ("Yuki", ""), ("Ravi", ""), ("Grace", ""), ("Emma", ""), ("Noah", ""), ("Liam", ""),
    ("Olivia", ""), ("Ava", ""), ("Mia", ""), ("Lucas", ""), ("Ethan", ""), ("Chloe", ""),
    ("Zoë", ""), ("Leah", ""), ("Siobhan", ""), ("Chidi", ""), ("Ingrid", ""), ("Tariq", ""),
)

LAST_NAMES: tuple[str, ...] = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
    "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris",
    "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson",
    "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Kim",
    "Chen", "Wang", "Singh", "O'Brien", "O'Connor", "McDonald", "Murphy", "Kowalski",
    "Schmidt", "Novak", "Rossi", "Cohen", "Goldberg", "Okafor", "Mensah", "Yamamoto",
    "Tanaka", "Haddad", "Silva", "Costa", "Ivanov", "Petrov", "Andersen", "Larsen", "Dubois",
    "Moreau", "Fischer", "Weber", "Becker", "Hoffmann", "Meyer", "Bauer", "Richter", "Klein",
    "Wolf", "Schröder", "Müller", "Peña", "Núñez", "Zhang", "Liu", "Huang", "Zhao", "Wu",
    "Park", "Choi", "Jung", "Das", "Gupta", "Shah", "Khan", "Ali", "Van der Berg",
)
# fmt: on
