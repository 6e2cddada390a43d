/// Word lists the simulator builds people, host names and domains from.
///
/// Invented for this project; any resemblance to real people is coincidence.
enum NameLists {
  static let firstNames: [String] = [
    "mary", "patricia", "linda", "barbara", "elizabeth", "jennifer", "maria", "susan",
    "margaret", "dorothy", "lisa", "nancy", "karen", "betty", "helen", "sandra", "donna",
    "carol", "ruth", "sharon", "michelle", "laura", "sarah", "kimberly", "deborah", "jessica",
    "shirley", "cynthia", "angela", "melissa", "brenda", "amy", "anna", "rebecca", "virginia",
    "kathleen", "pamela", "martha", "debra", "amanda", "stephanie", "carolyn", "christine",
    "marie", "janet", "catherine", "frances", "ann", "joyce", "diane", "james", "john",
    "robert", "michael", "william", "david", "richard", "charles", "joseph", "thomas",
    "christopher", "daniel", "paul", "mark", "donald", "george", "kenneth", "steven", "edward",
    "brian", "ronald", "anthony", "kevin", "jason", "matthew", "gary", "timothy", "jose",
    "larry", "jeffrey", "frank", "scott", "eric", "stephen", "andrew", "raymond", "gregory",
    "joshua", "jerry", "dennis", "walter", "patrick", "peter", "harold", "douglas", "henry",
  ]

  static let lastNames: [String] = [
    "smith", "johnson", "williams", "brown", "jones", "miller", "davis", "garcia",
    "rodriguez", "wilson", "martinez", "anderson", "taylor", "thomas", "hernandez", "moore",
    "martin", "jackson", "thompson", "white", "lopez", "lee", "gonzalez", "harris", "clark",
    "lewis", "robinson", "walker", "perez", "hall", "young", "allen", "sanchez", "wright",
    "king", "scott", "green", "baker", "adams", "nelson", "hill", "ramirez", "campbell",
    "mitchell", "roberts", "carter", "phillips", "evans", "turner", "torres", "parker",
    "collins", "edwards", "stewart", "flores", "morris", "nguyen", "murphy", "rivera", "cook",
    "rogers", "morgan", "peterson", "cooper", "reed", "bailey", "bell", "gomez", "kelly",
    "howard", "ward", "cox", "diaz", "richardson", "wood", "watson", "brooks", "bennett",
    "gray", "james", "reyes", "cruz", "hughes", "price", "myers", "long", "foster", "sanders",
    "ross", "morales", "powell", "sullivan", "russell", "ortiz", "jenkins", "gutierrez",
    "perry", "butler", "barnes", "fisher", "henderson", "coleman", "simmons", "patterson",
    "jordan", "reynolds", "hamilton", "graham", "kim", "gonzales", "alexander", "ramos",
    "wallace", "griffin", "west", "cole", "hayes", "chavez", "gibson", "bryant", "ellis",
    "stevens", "murray", "ford", "marshall", "owens", "mcdonald", "harrison", "ruiz",
    "kennedy", "wells", "alvarez", "woods", "mendoza", "castillo", "olson", "webb",
    "washington", "tucker", "freeman", "burns", "henry", "vasquez", "snyder", "simpson",
    "crawford", "jimenez", "porter", "mason", "shaw", "gordon", "wagner", "hunter", "romero",
    "hicks", "dixon", "hunt", "palmer", "robertson", "black", "holmes", "stone", "meyer",
    "boyd", "mills", "warren", "fox", "rose", "rice", "moreno", "schmidt", "patel",
    "ferguson", "nichols", "herrera", "medina", "ryan", "fernandez", "weaver", "daniels",
  ]

  /// Names the worm glues to harvested domains (MyDoom's address generator did the same).
  static let wormNames: [String] = [
    "john", "alex", "michael", "james", "mike", "kevin", "david", "george", "sam", "andrew",
    "jose", "leo", "maria", "jim", "brian", "serg", "mary", "ray", "tom", "peter", "robert",
    "bob", "jane", "joe", "dan", "dave", "matt", "steve", "smith", "stan", "bill", "bob",
    "jack", "fred", "ted", "adam", "brent", "alice", "anna", "brenda", "claudia", "debby",
    "helen", "jerry", "jimmy", "julie", "linda", "sandra", "info", "admin", "support",
    "sales", "webmaster", "contact", "office", "mail",
  ]

  /// First halves of invented company and school domains.
  static let domainWords: [String] = [
    "lakeside", "summit", "pioneer", "riverbend", "oakridge", "maplewood", "harbor",
    "northstar", "bluesky", "redrock", "silverline", "greenfield", "westbrook", "eastgate",
    "highland", "valley", "prairie", "cedar", "granite", "keystone", "liberty", "heritage",
    "frontier", "cornerstone", "meridian", "horizon", "sunrise", "evergreen", "bayview",
    "crescent", "falcon", "eagle", "beacon", "compass", "anchor", "lighthouse", "orchard",
    "willow", "aspen", "sterling",
  ]

  /// Second halves of invented company and school domains.
  static let domainKinds: [String] = [
    "supply", "books", "insurance", "university", "college", "press", "media", "bank",
    "credit", "travel", "realty", "foods", "tech", "systems", "consulting", "schools",
    "publishing", "learning", "health", "clinic", "church", "sports", "camp", "museum",
  ]

  static let tlds: [String] = ["example.com", "example.net", "example.org"]

  /// Subjects of ordinary mail, for MIMEDefang's MDLOG lines.
  static let subjects: [String] = [
    "Re: staff meeting", "Lunch duty schedule", "Field trip forms", "Re: grades due Friday",
    "Budget request", "Fw: workshop registration", "Bus schedule change", "Parent conference",
    "Re: substitute needed", "Library books overdue", "Re: Re: science fair",
    "Order confirmation", "Your account statement", "Newsletter - February",
  ]

  /// Subjects MyDoom used.
  static let wormSubjects: [String] = [
    "test", "hi", "hello", "Mail Delivery System", "Mail Transaction Failed", "Server Report",
    "Status", "Error", "Delivery failed", "Returned mail",
  ]

  /// Spam subjects, for MIMEDefang's MDLOG spam lines.
  static let spamSubjects: [String] = [
    "Lowest mortgage rates", "Re: your prescription", "V1agra 80% off", "Make money fast",
    "You have won", "Cheap software", "Re: hi", "Meet singles near you",
  ]
}
