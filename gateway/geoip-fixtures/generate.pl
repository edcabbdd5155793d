#!/usr/bin/perl
# Build one small MaxMind DB (.mmdb) file from the TSV sources in this folder.
#
# Needs Debian's libmaxmind-db-writer-perl (MaxMind::DB::Writer::Tree).
# Normally run through ./generate.sh, which builds every fixture.
#
# Usage:
#   generate.pl --schema geoip2-country|geoip2-city|country-code \
#               --database-type TYPE --networks FILE [--no-country FILE] \
#               [--countries FILE] [--description TEXT] --out FILE
#
# Schemas (every file is ip_version 6, IPv4 stored at ::a.b.c.d and aliased from
# ::ffff:0:0/96 and 2002::/16):
#   geoip2-country  {continent:{code,geoname_id,names:{en}},
#                    country:{iso_code,geoname_id,names:{en}},
#                    registered_country:{same as country}}
#   geoip2-city     geoip2-country + city:{names:{en}}
#   country-code    {country_code:"CN"}   (the geo-whois-asn-country layout)
# Networks from --no-country get a record without country/registered_country:
# {continent:{...}} only (an empty map {} for the country-code schema).
#
# The build epoch comes from $SOURCE_DATE_EPOCH (default: a fixed date), so the
# output is reproducible.
use strict;
use warnings;
use utf8;

use File::Basename qw(dirname);
use Getopt::Long qw(GetOptions);
use MaxMind::DB::Writer::Tree;
use Net::Works::Address;
use Net::Works::Network;

my $DEFAULT_BUILD_EPOCH = 1781740800;    # 2026-06-18T00:00:00Z

my %CONTINENTS = (
    AF => [ 6255146, 'Africa' ],
    AN => [ 6255152, 'Antarctica' ],
    AS => [ 6255147, 'Asia' ],
    EU => [ 6255148, 'Europe' ],
    NA => [ 6255149, 'North America' ],
    OC => [ 6255151, 'Oceania' ],
    SA => [ 6255150, 'South America' ],
);

my %KEY_TYPES = (
    city               => 'map',
    continent          => 'map',
    country            => 'map',
    registered_country => 'map',
    names              => 'map',
    geoname_id         => 'uint32',
    code               => 'utf8_string',
    iso_code           => 'utf8_string',
    en                 => 'utf8_string',
    country_code       => 'utf8_string',
);

my %opt = (
    countries => dirname(__FILE__) . '/countries.tsv',
);
GetOptions(
    \%opt,
    'schema=s', 'database-type=s', 'networks=s', 'no-country=s',
    'countries=s', 'description=s', 'out=s',
) or die usage();
for my $required (qw(schema database-type networks out)) {
    die "missing --$required\n" . usage() unless defined $opt{$required};
}
my $schema = $opt{schema};
die "unknown --schema '$schema'\n" . usage()
    unless $schema =~ /\A(?:geoip2-country|geoip2-city|country-code)\z/;

my %countries = read_countries( $opt{countries} );

my @entries;    # [ network-string, record, source-location ]
for my $row ( read_tsv( $opt{networks} ) ) {
    my ( $net, $cc, $where ) = @$row;
    die "$where: unknown country code '$cc' (add it to $opt{countries})\n"
        unless $countries{$cc};
    push @entries, [ $net, country_record( $cc, $countries{$cc} ), $where ];
}
if ( defined $opt{'no-country'} ) {
    for my $row ( read_tsv( $opt{'no-country'} ) ) {
        my ( $net, $continent, $where ) = @$row;
        die "$where: unknown continent code '$continent'\n"
            unless $CONTINENTS{$continent};
        push @entries, [ $net, no_country_record($continent), $where ];
    }
}
die "no networks read\n" unless @entries;
check_no_overlaps(@entries);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 24,
    database_type            => $opt{'database-type'},
    languages                => ['en'],
    description              => { en => $opt{description} // "$opt{'database-type'} (Homeport fixture)" },
    merge_strategy           => 'recurse',
    alias_ipv6_to_ipv4       => 1,
    remove_reserved_networks => 0,    # keeps the documentation-range test networks
    map_key_type_callback    => sub {
        my $key = shift;
        return $KEY_TYPES{$key} // die "no MaxMind DB type declared for key '$key'\n";
    },
);
$tree->_set_build_epoch( $ENV{SOURCE_DATE_EPOCH} // $DEFAULT_BUILD_EPOCH );

$tree->insert_network( $_->[0], $_->[1] ) for @entries;

my $tmp = "$opt{out}.tmp.$$";
open my $fh, '>:raw', $tmp or die "cannot write $tmp: $!\n";
$tree->write_tree($fh);
close $fh or die "cannot write $tmp: $!\n";
rename $tmp, $opt{out} or die "cannot rename $tmp to $opt{out}: $!\n";
printf "wrote %s (%s, %d networks, %d bytes)\n",
    $opt{out}, $opt{'database-type'}, scalar(@entries), -s $opt{out};
exit 0;

sub usage {
    return "usage: $0 --schema geoip2-country|geoip2-city|country-code"
        . " --database-type TYPE --networks FILE [--no-country FILE]"
        . " [--countries FILE] [--description TEXT] --out FILE\n";
}

sub names { return { en => $_[0] } }

sub continent_part {
    my $code = shift;
    my ( $id, $name ) = @{ $CONTINENTS{$code} };
    return { code => $code, geoname_id => $id, names => names($name) };
}

sub country_record {
    my ( $cc, $c ) = @_;
    return { country_code => $cc } if $schema eq 'country-code';
    my %record = (
        continent          => continent_part( $c->{continent} ),
        country            => { iso_code => $cc, geoname_id => $c->{geoname_id}, names => names( $c->{name} ) },
        registered_country => { iso_code => $cc, geoname_id => $c->{geoname_id}, names => names( $c->{name} ) },
    );
    $record{city} = { names => names( $c->{city} ) } if $schema eq 'geoip2-city';
    return \%record;
}

sub no_country_record {
    my $continent = shift;
    return {} if $schema eq 'country-code';
    return { continent => continent_part($continent) };
}

# Rows of "network<TAB>code"; '#' starts a comment. Returns [net, code, where].
sub read_tsv {
    my $file = shift;
    open my $in, '<:encoding(UTF-8)', $file or die "cannot read $file: $!\n";
    my @rows;
    while ( my $line = <$in> ) {
        my $where = "$file:$.";
        $line =~ s/#.*//s;
        $line =~ s/\s+\z//;
        next if $line eq '';
        my ( $net, $code, @rest ) = split /\t+/, $line;
        die "$where: expected network<TAB>code\n" if !defined $code || @rest;
        $net =~ s/\A\s+//;
        die "$where: '$net' is not in CIDR form\n" unless $net =~ m{\A([0-9A-Fa-f:.]+)/(\d+)\z};
        my $n = Net::Works::Network->new_from_string( string => $net );
        my $addr = Net::Works::Address->new_from_string( string => $1 );
        die "$where: '$net' has host bits set (network is " . $n->as_string . ")\n"
            if $addr->as_integer != $n->first->as_integer;
        push @rows, [ $net, $code, $where ];
    }
    close $in;
    return @rows;
}

sub read_countries {
    my $file = shift;
    open my $in, '<:encoding(UTF-8)', $file or die "cannot read $file: $!\n";
    my %c;
    while ( my $line = <$in> ) {
        next if $line =~ /\A\s*(?:#|\z)/;
        chomp $line;
        my ( $iso, $id, $name, $continent, $city ) = split /\t/, $line;
        die "$file:$.: expected iso_code, geoname_id, name_en, continent_code, city_en\n"
            unless defined $city && $id =~ /\A\d+\z/;
        die "$file:$.: unknown continent '$continent'\n" unless $CONTINENTS{$continent};
        $c{$iso} = { geoname_id => 0 + $id, name => $name, continent => $continent, city => $city };
    }
    close $in;
    return %c;
}

# Overlapping networks would be silently merged by the 'recurse' strategy.
sub check_no_overlaps {
    my @ranges = map {
        my $n = Net::Works::Network->new_from_string( string => $_->[0] );
        [ $n->version, $n->first->as_integer, $n->last->as_integer, $_->[2], $_->[0] ]
    } @_;
    @ranges = sort { $a->[0] <=> $b->[0] || $a->[1] <=> $b->[1] } @ranges;
    for my $i ( 1 .. $#ranges ) {
        my ( $p, $c ) = @ranges[ $i - 1, $i ];
        die "$c->[3]: $c->[4] overlaps $p->[4] ($p->[3])\n"
            if $p->[0] == $c->[0] && $c->[1] <= $p->[2];
    }
}
